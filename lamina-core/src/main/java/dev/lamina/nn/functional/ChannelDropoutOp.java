package dev.lamina.nn.functional;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/**
 * Multiplies every channel plane of an [N, C, ...] tensor by its own factor (0 for a dropped channel, 1/(1−p)
 * for a kept one): the fused forward and backward of channel dropout ({@code nn.Dropout2d}). The backward
 * multiplies the output gradient by the same cached factors.
 */
public final class ChannelDropoutOp {
    private ChannelDropoutOp() {}

    /**
     * @param x [N, C, ...] with N·C = {@code scale.length}
     * @param scale one factor per (n, c) plane, in row-major order; cached for backward
     * @return x's shape
     */
    public static Tensor scaleChannels(Tensor x, float[] scale) {
        int planes = x.size(0) * x.size(1);
        if (scale.length != planes) throw new IllegalArgumentException("scaleChannels: " + scale.length + " factors for " + planes + " planes");
        Tensor xc = x.contiguous();
        int[] shape = x.shape();
        float[] y = apply(xc.storage(), xc.storageOffset(), scale, planes, planes == 0 ? 0 : x.numel() / planes);
        return Tensor.fromOp("dropout2d", Tensor.of(y, shape), g -> {
            Tensor gc = g.contiguous();
            return new Tensor[] {Tensor.of(apply(gc.storage(), gc.storageOffset(), scale, planes, xc.numel() / Math.max(1, planes)), shape)};
        }, xc);
    }

    private static float[] apply(float[] x, int xo, float[] scale, int planes, int s) {
        float[] y = new float[planes * s];
        Parallel.forRange(planes, Math.max(1, (1 << 15) / Math.max(1, s)), (a, b) -> {
            for (int p = a; p < b; p++) {
                float f = scale[p];
                int base = p * s;
                if (f == 0f) continue;
                for (int i = 0; i < s; i++) y[base + i] = x[xo + base + i] * f;
            }
        });
        return y;
    }
}
