package dev.lamina.kernels;

/**
 * An activation that a fused kernel applies to its output while the output is still in cache: a convolution's
 * epilogue {@code y = act(y + residual)}. RELU and CLIP give the same bits as {@code Tensor.relu()} and
 * {@code Tensor.clamp(lo, hi)}; SIGMOID, SILU and HARDSWISH are computed in float lanes ({@link VectorMath#exp},
 * within 2 ulp), so they may differ from the double-precision scalar ops in the last bits.
 */
public enum Activation {
    NONE, RELU, CLIP, SIGMOID, SILU, HARDSWISH;

    /**
     * y[yo, yo + n) = act(y + r[ro, ro + n)) in place; {@code r} may be null (no residual); {@code lo}, {@code hi}
     * are CLIP's bounds.
     */
    public void apply(float lo, float hi, float[] y, int yo, float[] r, int ro, int n) {
        if (this == NONE && r == null) return;
        applyBlock(null, 0, lo, hi, y, yo, n, 1, r, ro, n);
    }

    /**
     * A block of {@code rows} rows of {@code n} values, {@code ldc} apart (a GEMM tile): row i becomes
     * act(y + bias[bo + i] + r) in place, the bias added first as a separate add would (none when {@code bias} is
     * null), the residual at the same offsets from {@code ro} as y's from {@code yo} (or null).
     */
    public void applyBlock(float[] bias, int bo, float lo, float hi, float[] y, int yo, int ldc, int rows, float[] r, int ro, int n) {
        if (CpuFeatures.VECTOR) {
            VectorElementwise.epilogueBlock(this, bias, bo, lo, hi, y, yo, ldc, rows, r, ro, n);
            return;
        }
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < n; i++) {
                int at = yo + row * ldc + i;
                float v = bias == null ? y[at] : y[at] + bias[bo + row];
                y[at] = scalar(r == null ? v : v + r[ro + row * ldc + i], lo, hi);
            }
        }
    }

    /** The activation of one value (the scalar path, without the Vector API). */
    public float scalar(float v, float lo, float hi) {
        return switch (this) {
            case NONE -> v;
            case RELU -> Math.max(v, 0f);
            case CLIP -> Math.min(Math.max(v, lo), hi);
            case SIGMOID -> Elementwise.sigmoid(v);
            case SILU -> v * Elementwise.sigmoid(v);
            case HARDSWISH -> v * Math.min(Math.max(Math.fma(v, 1f / 6, 0.5f), 0f), 1f);
        };
    }
}
