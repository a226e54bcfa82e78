package dev.lamina.nn.functional;

import dev.lamina.kernels.Activation;
import dev.lamina.tensor.Tensor;

/**
 * What a fused inference convolution does to its output before returning it: {@code y = act(conv(x) + b + residual)}
 * (a ResNet block's skip connection is the residual, a MobileNet block's ReLU6 is CLIP 0..6).
 *
 * @param act the activation, {@link Activation#NONE} for none
 * @param lo CLIP's lower bound (ignored otherwise)
 * @param hi CLIP's upper bound
 * @param residual a contiguous tensor of the output's shape added before the activation, or null
 */
public record ConvEpilogue(Activation act, float lo, float hi, Tensor residual) {
    public ConvEpilogue {
        if (act == null) throw new IllegalArgumentException("conv epilogue: activation must not be null (use NONE)");
        if (act == Activation.CLIP && !(lo <= hi)) throw new IllegalArgumentException("conv epilogue: clip bounds " + lo + " > " + hi);
        if (residual != null) residual = residual.contiguous();
    }

    /** The activation alone, no residual. */
    public static ConvEpilogue of(Activation act) {
        return new ConvEpilogue(act, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, null);
    }

    /**
     * The epilogue of one GEMM's tiles: C is the block of y at {@code y}'s rows = output channels from {@code channel0};
     * adds {@code bias[bo + channel]} first when {@code bias} is not null (the GEMM then leaves it out), then the
     * residual (at the same flat index of y) and the activation.
     */
    dev.lamina.kernels.Gemm.TileEpilogue forTiles(float[] bias, int bo, int channel0) {
        float[] r = residual == null ? null : residual.storage();
        int ro = residual == null ? 0 : residual.storageOffset();
        if (bias == null && r == null && act == dev.lamina.kernels.Activation.NONE) return null; // nothing to do
        return (c, off, ldc, row, col, rows, cols) -> act.applyBlock(bias, bo + channel0 + row, lo, hi, c, off, ldc, rows, r, ro + off, cols);
    }

    /** Applies the epilogue to y[off, off + n), the same flat range of the residual. */
    void apply(float[] y, int off, int n) {
        if (residual == null) act.apply(lo, hi, y, off, null, 0, n);
        else act.apply(lo, hi, y, off, residual.storage(), residual.storageOffset() + off, n);
    }
}
