package dev.lamina.nn;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.nn.functional.NormOp;
import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Without a tape, GELU, the normalizations and attention save nothing for backward: GELU's Φ and LayerNorm's x̂ are
 * written where the output goes, attention's probabilities are scratch given back to the inference pool. The results
 * must be the same bits as with the tape, also when the pool hands out arrays holding old values.
 */
class NoTapeResultsTest {
    private final Rng rng = new Rng(8);

    private static void sameWithAndWithoutTape(String what, Tensor x, Function<Tensor, Tensor> f) {
        float[] taped = f.apply(x.detach().requiresGrad(true)).toArray();
        Buffers.Pool pool = new Buffers.Pool();
        try (var g = Autograd.noGrad(); var s = Buffers.use(pool)) {
            for (int round = 0; round < 3; round++) {
                Tensor y = f.apply(x);
                assertArrayEquals(taped, y.toArray(), what + " round " + round);
                float[] a = y.storage();
                java.util.Arrays.fill(a, Float.NaN);   // the next round's arrays hold garbage
                pool.give(a);
            }
        }
    }

    @Test
    void geluNormsAndAttentionGiveTheSameBitsWithoutATape() {
        Tensor x = Tensor.randn(rng, 3, 5, 37);
        sameWithAndWithoutTape("gelu", x, Tensor::gelu);
        Tensor w = Tensor.randn(rng, 37), b = Tensor.randn(rng, 37);
        sameWithAndWithoutTape("layer_norm", x, t -> NormOp.layerNorm(t, new int[] {37}, w, b, 1e-5));
        sameWithAndWithoutTape("layer_norm without affine", x, t -> NormOp.layerNorm(t, new int[] {37}, null, null, 1e-5));
        sameWithAndWithoutTape("rms_norm", x, t -> NormOp.rmsNorm(t, new int[] {37}, w, 1e-6));
        Tensor img = Tensor.randn(rng, 2, 6, 5, 7), gw = Tensor.randn(rng, 6), gb = Tensor.randn(rng, 6);
        sameWithAndWithoutTape("group_norm", img, t -> NormOp.groupNorm(t, 3, gw, gb, 1e-5));
        Tensor k = Tensor.randn(rng, 2, 3, 9, 8), v = Tensor.randn(rng, 2, 3, 9, 4);
        Tensor q = Tensor.randn(rng, 2, 3, 7, 8);
        AttentionMask pad = AttentionMask.bool(Tensor.of(new float[] {0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 2, 9));
        sameWithAndWithoutTape("attention", q, t -> AttentionOp.scaledDotProductAttention(t, k, v, null, pad, false, 0.0, false).output());
        Tensor qc = Tensor.randn(rng, 1, 2, 40, 8), kc = Tensor.randn(rng, 1, 2, 40, 8), vc = Tensor.randn(rng, 1, 2, 40, 8);
        sameWithAndWithoutTape("causal attention", qc, t -> AttentionOp.scaledDotProductAttention(t, kc, vc, null, null, true, 0.0, false).output());
    }
}
