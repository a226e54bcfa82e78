package dev.lamina.nn;

import dev.lamina.nn.functional.UpsampleOp;
import dev.lamina.nn.functional.UpsampleOp.Mode;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Upsampling (or downsampling) of the last one or two dimensions as PyTorch's {@code nn.Upsample}: modes
 * {@code "nearest"}, {@code "linear"} ([N, C, L] input) and {@code "bilinear"} ([N, C, H, W] input), an output
 * {@code size} or a {@code scale_factor} (one value for every resized dimension, or one per dimension), and
 * {@code align_corners} for the interpolating modes. A scale factor is used as given in the source-coordinate
 * formula (PyTorch's default {@code recompute_scale_factor=None}); see {@link UpsampleOp} for the rules. No
 * parameters.
 */
public final class Upsample extends Module {
    /**
     * What an Upsample is built from: the output size or the scale factors (exactly one non-null; one value for every
     * resized dimension, or one per dimension), the mode, and align_corners (null for PyTorch's None).
     */
    public record Config(List<Integer> size, List<Double> scaleFactor, Mode mode, Boolean alignCorners) implements LayerConfig {
        public Config {
            size = size == null ? null : List.copyOf(size);
            scaleFactor = scaleFactor == null ? null : List.copyOf(scaleFactor);
        }

        @Override
        public Upsample build(Rng rng) {
            return new Upsample(size == null ? null : LayerConfig.array(size),
                    scaleFactor == null ? null : scaleFactor.stream().mapToDouble(Double::doubleValue).toArray(),
                    mode == null ? null : mode.torchName(), alignCorners);
        }
    }

    private final int[] size;
    private final double[] scale;
    private final Mode mode;
    private final Boolean alignCorners;

    /**
     * {@code nn.Upsample(size, scale_factor, mode, align_corners)}: exactly one of {@code size} and {@code scaleFactor}
     * non-null; a one-element array applies to every resized dimension. {@code alignCorners} null is PyTorch's None
     * (false for the interpolating modes; the only value nearest accepts).
     */
    public Upsample(int[] size, double[] scaleFactor, String mode, Boolean alignCorners) {
        this.mode = Mode.of(describe(), mode);
        UpsampleOp.checkConfig(describe(), size, scaleFactor, this.mode, alignCorners);
        this.size = size == null ? null : size.clone();
        this.scale = scaleFactor == null ? null : scaleFactor.clone();
        this.alignCorners = alignCorners;
    }

    /** Nearest-neighbour upsampling by {@code scaleFactor} in every resized dimension. */
    public static Upsample scale(double scaleFactor) {
        return new Upsample(null, new double[] {scaleFactor}, "nearest", null);
    }

    /** Upsampling by {@code scaleFactor} in every resized dimension; {@code alignCorners} only for linear/bilinear (null otherwise). */
    public static Upsample scale(double scaleFactor, String mode, Boolean alignCorners) {
        return new Upsample(null, new double[] {scaleFactor}, mode, alignCorners);
    }

    /** Nearest-neighbour resizing to {@code size} (one value, or one per resized dimension). */
    public static Upsample size(int... size) {
        return new Upsample(size, null, "nearest", null);
    }

    /** Resizing to {@code size} (one value, or one per resized dimension). */
    public static Upsample size(int[] size, String mode, Boolean alignCorners) {
        return new Upsample(size, null, mode, alignCorners);
    }

    /**
     * [N, C, L] → [N, C, L'] (nearest, linear); [N, C, H, W] → [N, C, H', W'] (nearest, bilinear), where each output
     * size is the given size or floor(input size · scale factor).
     */
    @Override
    public Tensor forward(Tensor x) {
        return UpsampleOp.interpolate(describe(), x, size, scale, mode, alignCorners);
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public Config config() {
        return new Config(size == null ? null : LayerConfig.list(size),
                scale == null ? null : Arrays.stream(scale).boxed().toList(), mode, alignCorners);
    }

    @Override
    protected String extraRepr() {
        return (size != null ? "size=" + (size.length == 1 ? size[0] : Arrays.toString(size))
                : "scale_factor=" + (scale.length == 1 ? scale[0] : Arrays.toString(scale)))
                + ", mode=" + mode.torchName() + (alignCorners != null ? ", align_corners=" + alignCorners : "");
    }
}
