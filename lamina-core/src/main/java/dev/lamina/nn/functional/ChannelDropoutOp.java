package dev.lamina.nn.functional;

import dev.lamina.tensor.Tensor;

/**
 * Multiplies every channel plane of an [N, C, ...] tensor by its own factor (0 for a dropped channel, 1/(1−p)
 * for a kept one): the fused forward and backward of channel dropout ({@code nn.Dropout2d}), computed by the
 * tensor's backend ({@link dev.lamina.backend.ChannelDropoutOps}). The backward multiplies the output gradient by
 * the same cached factors.
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
        Tensor factors = xc.backend().wrap(scale, planes); // cached for backward
        return Tensor.fromOp("dropout2d", xc.backend().scaleChannels(xc, factors),
                g -> new Tensor[] {g.backend().scaleChannels(g, factors)}, xc);
    }
}
