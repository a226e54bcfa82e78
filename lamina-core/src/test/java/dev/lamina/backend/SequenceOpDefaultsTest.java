package dev.lamina.backend;

import dev.lamina.nn.Embedding;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.nn.functional.GruOp;
import dev.lamina.nn.functional.LstmOp;
import dev.lamina.nn.functional.RnnInput;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The default bodies of the recurrent, attention, linear and embedding families (what the reference backend runs)
 * against the CPU backend's fused kernels, on the cases the PyTorch fixtures do not reach: masked and reversed
 * sequences, an embedding lookup fused into the recurrent input with a padding row, dropout on the attention weights
 * with the weights returned, causal attention over packed heads, and the KV cache. Outputs and every gradient.
 */
class SequenceOpDefaultsTest {
    private static void agree(String what, Supplier<List<Tensor>> scenario) {
        Backend cpu = Backends.byName("cpu"), ref = Backends.byName("reference");
        List<Tensor> c = Backends.using(cpu, scenario), r = Backends.using(ref, scenario);
        assertEquals(c.size(), r.size());
        for (int i = 0; i < c.size(); i++) {
            assertSame(cpu, c.get(i).backend(), what + " result " + i + " left the CPU backend");
            assertSame(ref, r.get(i).backend(), what + " result " + i + " left the reference backend");
            float[] a = c.get(i).toArray(), b = r.get(i).toArray();
            assertEquals(a.length, b.length, what + " result " + i);
            for (int j = 0; j < a.length; j++) assertEquals(a[j], b[j], 2e-4f * (1 + Math.abs(a[j])), what + " result " + i + " element " + j);
        }
    }

    private static Tensor param(Rng rng, int... shape) {
        return Tensor.randn(rng, shape).mul(0.4f).requiresGrad(true);
    }

    /** seq 4, batch 3: row 0 all valid, row 1 its first 2 steps, row 2 only step 0 (time-major). */
    private static final float[] MASK = {1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0};

    @Test
    void lstmAndGruMaskedReversedAndEmbedded() {
        for (boolean reverse : new boolean[] {false, true}) {
            agree("lstm reverse=" + reverse, () -> {
                Rng rng = new Rng(11);
                Tensor x = param(rng, 4, 3, 5), h0 = param(rng, 3, 6), c0 = param(rng, 3, 6);
                Tensor wi = param(rng, 24, 5), wh = param(rng, 24, 6), bi = param(rng, 24), bh = param(rng, 24);
                LstmOp.Result r = LstmOp.lstm(x, h0, c0, wi, wh, bi, bh, MASK, reverse);
                r.output().square().sum().add(r.hN().mul(3f).sum()).add(r.cN().square().sum()).backward();
                return List.of(r.output(), r.hN(), r.cN(), x.grad(), h0.grad(), c0.grad(), wi.grad(), wh.grad(), bi.grad(), bh.grad());
            });
            agree("gru reverse=" + reverse, () -> {
                Rng rng = new Rng(12);
                Tensor x = param(rng, 4, 3, 5), h0 = param(rng, 3, 6);
                Tensor wi = param(rng, 18, 5), wh = param(rng, 18, 6), bi = param(rng, 18), bh = param(rng, 18);
                GruOp.Result r = GruOp.gru(x, h0, wi, wh, bi, bh, MASK, reverse);
                r.output().square().sum().add(r.hN().mul(3f).sum()).backward();
                return List.of(r.output(), r.hN(), x.grad(), h0.grad(), wi.grad(), wh.grad(), bi.grad(), bh.grad());
            });
        }
        agree("lstm over an embedding lookup with a padding row", () -> {
            Rng rng = new Rng(13);
            Tensor table = param(rng, 7, 5);
            Tensor ids = Tensor.of(new float[] {1, 2, 2, 0, 6, 2, 3, 1, 1, 6, 0, 4}, 4, 3);
            Tensor wi = param(rng, 24, 5), wh = param(rng, 24, 6);
            LstmOp.Result r = LstmOp.lstm(RnnInput.embedded("emb", table, ids, 2), null, null, wi, wh, null, null, null, false);
            r.output().square().sum().add(r.hN().sum()).backward();
            return List.of(r.output(), r.hN(), r.cN(), table.grad(), wi.grad(), wh.grad());
        });
    }

    @Test
    void attentionWithMasksDropoutWeightsAndCausality() {
        agree("sdpa masks, dropout, weights", () -> {
            Rng rng = new Rng(21);
            Tensor q = param(rng, 2, 3, 4, 8), k = param(rng, 2, 3, 5, 8), v = param(rng, 2, 3, 5, 6);
            AttentionMask add = AttentionMask.additive(Tensor.randn(new Rng(22), 4, 5));
            AttentionMask pad = AttentionMask.bool(Tensor.of(new float[] {0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, 2, 5));   // batch 1: every key masked
            AttentionOp.Result r = AttentionOp.scaledDotProductAttention(q, k, v, add, pad, false, 0.3, true, Double.NaN, new Rng(23));
            r.output().square().sum().add(r.weights().mul(Tensor.randn(new Rng(24), 2, 3, 4, 5)).sum()).backward();
            return List.of(r.output(), r.weights(), q.grad(), k.grad(), v.grad());
        });
        agree("sdpa causal, one source for q, k and v", () -> {
            Tensor x = param(new Rng(25), 1, 2, 6, 4);
            AttentionOp.Result r = AttentionOp.scaledDotProductAttention(x, x, x, null, null, true, 0, false);
            r.output().square().sum().backward();
            return List.of(r.output(), x.grad());
        });
        agree("multi-head self-attention over packed heads, then the KV cache", () -> {
            MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, false, new Rng(26));
            Tensor x = param(new Rng(27), 5, 2, 8);
            AttentionOp.Result r = mha.forward(x, x, x, null, null, true, false, true);
            r.output().square().sum().add(r.weights().sum()).backward();
            List<Tensor> out = new ArrayList<>(List.of(r.output(), r.weights(), x.grad()));
            for (Tensor p : mha.parameters()) out.add(p.grad());
            try (var s = dev.lamina.autograd.Autograd.noGrad()) {
                MultiheadAttention.KVCache cache = mha.newCache(2, 1);
                for (int t = 0; t < 5; t++) out.add(mha.forwardCached(x.narrow(0, t, 1), cache, null));
            }
            return out;
        });
    }

    @Test
    void linearAndEmbeddingWithPadding() {
        agree("linear", () -> {
            Linear lin = new Linear(5, 3, true, new Rng(31));
            Tensor x = param(new Rng(32), 2, 4, 5);
            Tensor y = lin.forward(x);
            y.square().sum().backward();
            return List.of(y, x.grad(), lin.weight().grad(), lin.bias().grad());
        });
        agree("embedding", () -> {
            Embedding emb = new Embedding(6, 4, 3, new Rng(33));
            Tensor y = emb.forward(Tensor.of(new float[] {3, 1, 1, 5, 3, 0}, 2, 3));
            y.square().sum().add(y.sum()).backward();
            return List.of(y, emb.weight(), emb.weight().grad());
        });
    }
}
