package dev.lamina.explain;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

/**
 * A picture of what a layer does, as PNG bytes.
 *
 * @param title   e.g. "First-layer filters: 0 (Conv2d)"
 * @param caption how to read it
 * @param png     the image, a complete PNG file
 */
public record Picture(String title, String caption, byte[] png) {

    /** The filters of a convolution's weight [out, in, kh, kw] (averaged over input channels), titled with {@code layer}. */
    public static Picture filters(String layer, Tensor weight) {
        if (weight.dim() != 4) throw new IllegalArgumentException(layer + ": filters need a convolution weight [out, in, kh, kw], got " + Shape.str(weight.shape()));
        return PictureMaker.filters(layer, weight);
    }

    /** Example {@code index}'s feature maps in a convolution's output [N, C, H, W], titled with {@code layer}. */
    public static Picture featureMaps(String layer, Tensor output, int index) {
        if (output.dim() != 4) throw new IllegalArgumentException(layer + ": feature maps need an output [N, C, H, W], got " + Shape.str(output.shape()));
        if (index < 0 || index >= output.size(0)) throw new IllegalArgumentException(layer + ": example " + index + " is outside the batch of " + output.size(0));
        return PictureMaker.featureMaps(layer, output, index);
    }
}
