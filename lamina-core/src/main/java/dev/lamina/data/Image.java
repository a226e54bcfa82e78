package dev.lamina.data;

/**
 * One image as the image transforms see it: float values channel by channel, row by row ([C, H, W], as PyTorch
 * tensors), in [0, 1] after decoding and any range after {@link ImageOps#normalize}.
 */
public record Image(float[] data, int channels, int height, int width) {
    public Image {
        if (channels <= 0 || height <= 0 || width <= 0) throw new IllegalArgumentException("Image: channels, height and width must be positive, got " + channels + "x" + height + "x" + width);
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("Image: " + data.length + " values for " + channels + "x" + height + "x" + width);
        }
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** "3x224x224" */
    public String size() {
        return channels + "x" + height + "x" + width;
    }
}
