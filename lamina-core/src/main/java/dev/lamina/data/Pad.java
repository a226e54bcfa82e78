package dev.lamina.data;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * Zero padding of images on every side, as torchvision's {@code Pad(p)}: [N, C, H, W] → [N, C, H + 2p, W + 2p];
 * flat rows [N, H·W] (IDX images such as Fashion-MNIST's 784 values) are read as one-channel H × W images first.
 * {@code Pad.of(28, 28, 2)} makes Fashion-MNIST 1×32×32 for the zoo models' small-input stems.
 */
public final class Pad implements Transform {
    private final int height;
    private final int width;
    private final int pad;

    private Pad(int height, int width, int pad) {
        if (height <= 0 || width <= 0 || pad < 0) throw new IllegalArgumentException("Pad: image size must be positive and padding >= 0, got " + height + "x" + width + " and " + pad);
        this.height = height;
        this.width = width;
        this.pad = pad;
    }

    /** Pads {@code height × width} images by {@code pad} pixels on each side. */
    public static Pad of(int height, int width, int pad) {
        return new Pad(height, width, pad);
    }

    @Override
    public Tensor apply(Tensor features) {
        int n = features.size(0), c;
        if (features.dim() == 2 && features.size(1) == height * width) {
            c = 1;
        } else if (features.dim() == 4 && features.size(2) == height && features.size(3) == width) {
            c = features.size(1);
        } else {
            throw new ShapeException("Pad: expected images [N, C, " + height + ", " + width + "] or rows [N, " + height * width + "], got " + Shape.str(features.shape()));
        }
        float[] src = features.contiguous().toArray();
        int oh = height + 2 * pad, ow = width + 2 * pad;
        float[] out = new float[n * c * oh * ow];
        for (int plane = 0; plane < n * c; plane++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(src, (plane * height + y) * width, out, (plane * oh + y + pad) * ow + pad, width);
            }
        }
        return Tensor.of(out, n, c, oh, ow);
    }
}
