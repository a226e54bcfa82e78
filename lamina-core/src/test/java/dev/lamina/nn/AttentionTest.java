package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.autograd.GradCheck;
import dev.lamina.kernels.Parallel;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Attention beyond the PyTorch fixtures: finite-difference gradients, fully masked rows, dropout, KV-cache decoding,
 * positional encodings, PyTorch's state-dict names, and the error messages for bad input.
 */
class AttentionTest {
    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol, "element " + i);
    }

    // ------------------------------------------------------------------------------------------------ gradients

    @Test
    void sdpaFiniteDifferences() {
        Rng rng = new Rng(21);
        Tensor q = Tensor.randn(rng, 2, 2, 3, 4), k = Tensor.randn(rng, 2, 2, 5, 4), v = Tensor.randn(rng, 2, 2, 5, 3);
        Tensor add = Tensor.randn(rng, 3, 5).mul(0.5f);
        AttentionMask kpm = AttentionMask.bool(Tensor.of(new float[] {0, 0, 0, 0, 1, 0, 1, 0, 0, 0}, 2, 5));
        GradCheck.Result r = GradCheck.check(t -> AttentionOp.scaledDotProductAttention(t[0], t[1], t[2], AttentionMask.additive(add), kpm,
                true, 0.0, false).output(), 1e-2, q, k, v);
        assertTrue(r.passed(2e-2), "sdpa: " + r);
        // the weights as an output too, and dropout with a fixed mask (a fresh Rng of the same seed per call)
        GradCheck.Result rw = GradCheck.check(t -> {
            AttentionOp.Result res = AttentionOp.scaledDotProductAttention(t[0], t[1], t[2], null, null, false, 0.3, true, Double.NaN, new Rng(4));
            return Tensor.cat(List.of(res.output().reshape(-1), res.weights().reshape(-1).mul(2f)), 0);
        }, 1e-2, q, k, v);
        assertTrue(rw.passed(2e-2), "sdpa with weights and dropout: " + rw);
        // a loss on the weights alone: the output's gradient is null in the op's rule
        GradCheck.Result wOnly = GradCheck.check(t -> AttentionOp.scaledDotProductAttention(t[0], t[1], t[2], AttentionMask.additive(add), null,
                false, 0.0, true).weights(), 1e-2, q, k, v);
        assertTrue(wOnly.passed(2e-2), "sdpa weights alone: " + wOnly);
        GradCheck.Result rd = GradCheck.check(t -> AttentionOp.scaledDotProductAttention(t[0], t[1], t[2], null, kpm, false, 0.4, false,
                0.7, new Rng(6)).output(), 1e-2, q, k, v);
        assertTrue(rd.passed(2e-2), "sdpa with dropout and scale 0.7: " + rd);
    }

    @Test
    void mhaFiniteDifferences() {
        Rng rng = new Rng(3);
        MultiheadAttention m = new MultiheadAttention(6, 2, 0.0, true, true, rng);
        for (Tensor p : m.parameters()) p.copyFrom_(Tensor.randn(rng, p.shape()).mul(0.5f));
        Tensor x = Tensor.randn(rng, 2, 4, 6), mem = Tensor.randn(rng, 2, 3, 6);
        GradCheck.Result self = GradCheck.check(t -> m.forward(t[0], t[0], t[0], null, null, false, true, true).output(), 1e-2, x);
        assertTrue(self.passed(2e-2), "self-attention: " + self);
        GradCheck.Result cross = GradCheck.check(t -> m.forward(t[0], t[1], t[1], null, null, false, true).output(), 1e-2, x, mem);
        assertTrue(cross.passed(2e-2), "cross-attention: " + cross);
    }

    // ------------------------------------------------------------------------------------------------ masking

    /** PyTorch 1.13 gives NaN for a query whose keys are all masked; here its weights and output are zero. */
    @Test
    void fullyMaskedRowGivesZerosNotNaN() {
        Rng rng = new Rng(8);
        Tensor q = Tensor.randn(rng, 1, 2, 3, 4).requiresGrad(true), k = Tensor.randn(rng, 1, 2, 4, 4).requiresGrad(true);
        Tensor v = Tensor.randn(rng, 1, 2, 4, 4).requiresGrad(true);
        float[] m = new float[12];
        for (int j = 0; j < 4; j++) m[4 + j] = 1; // query row 1 masks every key
        AttentionOp.Result r = AttentionOp.scaledDotProductAttention(q, k, v, AttentionMask.bool(Tensor.of(m, 3, 4)), null, false, 0, true);
        assertFalse(r.output().hasNonFinite());
        for (int h = 0; h < 2; h++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(0f, r.weights().get(0, h, 1, j));
                assertEquals(0f, r.output().get(0, h, 1, j));
            }
            float rowSum = 0;
            for (int j = 0; j < 4; j++) rowSum += r.weights().get(0, h, 0, j);
            assertEquals(1f, rowSum, 1e-6);
        }
        r.output().sum().backward();
        for (Tensor t : new Tensor[] {q, k, v}) assertFalse(t.grad().hasNonFinite());
        for (int j = 0; j < 4; j++) assertEquals(0f, q.grad().get(0, 0, 1, j));
    }

    @Test
    void boolAndAdditiveMasksAndCausalFlagAgree() {
        Rng rng = new Rng(9);
        Tensor q = Tensor.randn(rng, 2, 3, 5, 4), k = Tensor.randn(rng, 2, 3, 5, 4), v = Tensor.randn(rng, 2, 3, 5, 4);
        Tensor viaFlag = AttentionOp.scaledDotProductAttention(q, k, v, null, null, true, 0, false).output();
        Tensor viaAdditive = AttentionOp.scaledDotProductAttention(q, k, v, AttentionMask.causal(5), null, false, 0, false).output();
        float[] b = new float[25];
        for (int i = 0; i < 5; i++) for (int j = i + 1; j < 5; j++) b[i * 5 + j] = 1;
        Tensor viaBool = AttentionOp.scaledDotProductAttention(q, k, v, AttentionMask.bool(Tensor.of(b, 5, 5)), null, false, 0, false).output();
        assertClose(viaFlag, viaAdditive, 0);
        assertClose(viaFlag, viaBool, 0);
        Tensor none = AttentionOp.scaledDotProductAttention(q, k, v, null, null, false, 0, false).output();
        assertNotEquals(none.get(0, 0, 0, 0), viaFlag.get(0, 0, 0, 0));
    }

    /**
     * Long causal sequences run in row blocks that skip the keys a block cannot see; they must agree with the plain
     * computation under an equivalent additive mask (output, weights and every gradient, with dropout too).
     */
    @Test
    void causalRowBlocksMatchMaskedComputation() {
        int[][] sizes = {{40, 40}, {33, 50}, {64, 64}};
        for (int[] sz : sizes) {
            int lq = sz[0], lk = sz[1];
            float[] m = new float[lq * lk];
            for (int i = 0; i < lq; i++) for (int j = i + (lk - lq) + 1; j < lk; j++) m[i * lk + j] = Float.NEGATIVE_INFINITY;
            AttentionMask mask = AttentionMask.additive(Tensor.of(m, lq, lk));
            Tensor[] grads = null, out = null;
            for (boolean flag : new boolean[] {true, false}) {
                Rng rng = new Rng(15);
                Tensor q = Tensor.randn(rng, 2, 2, lq, 8).requiresGrad(true), k = Tensor.randn(rng, 2, 2, lk, 8).requiresGrad(true);
                Tensor v = Tensor.randn(rng, 2, 2, lk, 4).requiresGrad(true);
                AttentionOp.Result r = AttentionOp.scaledDotProductAttention(q, k, v, flag ? null : mask, null, flag, 0.2, true, Double.NaN, new Rng(3));
                r.output().mul(Tensor.randn(rng, r.output().shape())).sum().add(r.weights().mul(Tensor.randn(rng, r.weights().shape())).sum()).backward();
                Tensor[] o = {r.output(), r.weights()}, g = {q.grad(), k.grad(), v.grad()};
                if (out == null) {
                    out = o;
                    grads = g;
                } else {
                    for (int i = 0; i < 2; i++) assertClose(out[i], o[i], 1e-5);
                    for (int i = 0; i < 3; i++) assertClose(grads[i], g[i], 1e-4);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ dropout

    @Test
    void attentionDropoutOnlyInTraining() {
        Rng rng = new Rng(10);
        MultiheadAttention m = new MultiheadAttention(8, 2, 0.5, true, true, rng);
        Tensor x = Tensor.randn(rng, 2, 6, 8);
        AttentionOp.Result train = m.forward(x, x, x, null, null, true, false);
        m.eval();
        AttentionOp.Result eval1 = m.forward(x, x, x, null, null, true, false), eval2 = m.forward(x, x, x, null, null, true, false);
        assertClose(eval1.output(), eval2.output(), 0);
        // kept weights are the eval ones scaled by 1/(1-p) = 2, dropped ones are zero; some of each
        float[] tw = train.weights().toArray(), ew = eval1.weights().toArray();
        int zeros = 0;
        for (int i = 0; i < tw.length; i++) {
            if (tw[i] == 0) zeros++;
            else assertEquals(2 * ew[i], tw[i], 1e-6);
        }
        assertTrue(zeros > tw.length / 4 && zeros < 3 * tw.length / 4, "dropped " + zeros + " of " + tw.length);
    }

    // ------------------------------------------------------------------------------------------------ KV cache

    @Test
    void cachedDecodingEqualsFullCausalAttention() {
        for (boolean batchFirst : new boolean[] {true, false}) {
            Rng rng = new Rng(12);
            MultiheadAttention m = new MultiheadAttention(8, 2, 0.0, true, batchFirst, rng);
            m.eval();
            for (Tensor p : m.parameters()) p.copyFrom_(Tensor.randn(rng, p.shape()).mul(0.4f));
            int b = 3, len = 7, seqAxis = batchFirst ? 1 : 0;
            Tensor x = batchFirst ? Tensor.randn(rng, b, len, 8) : Tensor.randn(rng, len, b, 8);
            Tensor full = m.forward(x, x, x, null, null, false, true, true).output();
            try (var ignored = Autograd.noGrad()) {
                // one step at a time, from a cache that has to grow twice
                MultiheadAttention.KVCache cache = m.newCache(b, 2);
                List<Tensor> steps = new ArrayList<>();
                for (int t = 0; t < len; t++) steps.add(m.forwardCached(x.narrow(seqAxis, t, 1), cache, null));
                assertEquals(len, cache.length());
                assertClose(full, Tensor.cat(steps, seqAxis), 1e-5);
                // uneven chunks: 3 + 1 + 3 steps (causal within each chunk)
                cache.reset();
                List<Tensor> chunks = new ArrayList<>();
                int[] sizes = {3, 1, 3};
                int at = 0;
                for (int s : sizes) {
                    chunks.add(m.forwardCached(x.narrow(seqAxis, at, s), cache, null));
                    at += s;
                }
                assertClose(full, Tensor.cat(chunks, seqAxis), 1e-5);
            }
        }
    }

    @Test
    void cachedDecodingHonoursKeyPadding() {
        Rng rng = new Rng(13);
        MultiheadAttention m = new MultiheadAttention(4, 2, 0.0, true, true, rng);
        Tensor x = Tensor.randn(rng, 2, 3, 4);
        Tensor pad = Tensor.of(new float[] {1, 0, 0, 0, 0, 0}, 2, 3); // batch 0 ignores its first step
        Tensor full = m.forward(x, x, x, AttentionMask.bool(pad), null, false, true, true).output();
        try (var ignored = Autograd.noGrad()) {
            MultiheadAttention.KVCache cache = m.newCache(2, 8);
            m.forwardCached(x.narrow(1, 0, 1), cache, AttentionMask.bool(Tensor.zeros(2, 1)));
            Tensor rest = m.forwardCached(x.narrow(1, 1, 2), cache, AttentionMask.bool(pad));
            assertClose(full.narrow(1, 1, 2), rest, 1e-5);
        }
    }

    // ------------------------------------------------------------------------------------------------ layers

    @Test
    void stateDictNamesArePyTorchs() {
        TransformerEncoderLayer enc = new TransformerEncoderLayer(8, 2, 16);
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
                "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"),
                new ArrayList<>(enc.stateDict().keySet()));
        TransformerDecoderLayer dec = new TransformerDecoderLayer(8, 2, 16);
        assertTrue(dec.stateDict().keySet().containsAll(List.of("multihead_attn.in_proj_weight", "multihead_attn.out_proj.bias", "norm3.weight")));
        assertEquals(18, dec.stateDict().size());
        TransformerEncoder stack = new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2, 16), 2, new LayerNorm(8));
        assertTrue(stack.stateDict().containsKey("layers.1.linear2.bias"));
        assertTrue(stack.stateDict().containsKey("norm.weight"));
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0, false, false, new Rng(1));
        assertEquals(List.of("in_proj_weight", "out_proj.weight"), new ArrayList<>(mha.stateDict().keySet()));
    }

    /** Unbatched [L, E] input gives the batched result for a batch of one (encoder and decoder layers, MHA weights). */
    @Test
    void unbatchedInputMatchesBatchOfOne() {
        Rng rng = new Rng(16);
        TransformerEncoderLayer enc = new TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", true, false, rng);
        TransformerDecoderLayer dec = new TransformerDecoderLayer(8, 2, 16, 0.0, "relu", false, false, rng);
        Tensor x = Tensor.randn(rng, 5, 8), mem = Tensor.randn(rng, 3, 8);
        assertClose(enc.forward(x.unsqueeze(1), null, null, true).squeeze(1), enc.forward(x, null, null, true), 1e-6);
        assertClose(dec.forward(x.unsqueeze(1), mem.unsqueeze(1)).squeeze(1), dec.forward(x, mem), 1e-6);
        AttentionOp.Result batched = enc.selfAttn().forward(x.unsqueeze(1), x.unsqueeze(1), x.unsqueeze(1), null, null, true, false);
        AttentionOp.Result single = enc.selfAttn().forward(x, x, x, null, null, true, false);
        assertClose(batched.weights().squeeze(0), single.weights(), 1e-6);
        assertArrayEquals(new int[] {2, 5, 5}, single.weights().shape());
    }

    @Test
    void mhaInitialisationIsPyTorchs() {
        MultiheadAttention m = new MultiheadAttention(64, 4);
        float bound = (float) Math.sqrt(6.0 / (64 + 3 * 64));
        float max = 0;
        for (float w : m.inProjWeight().toArray()) max = Math.max(max, Math.abs(w));
        assertTrue(max <= bound && max > 0.9f * bound, "xavier bound " + bound + ", max " + max);
        for (float b : m.inProjBias().toArray()) assertEquals(0f, b);
        for (float b : m.outProj().bias().toArray()) assertEquals(0f, b);
    }

    @Test
    void embeddingPaddingRowIsZeroAndGetsNoGradient() {
        Embedding e = new Embedding(50, 8, 3, new Rng(4));
        float[] w = e.weight().toArray();
        double s = 0, s2 = 0;
        for (int i = 0; i < w.length; i++) {
            if (i / 8 == 3) assertEquals(0f, w[i]);
            s += w[i];
            s2 += w[i] * w[i];
        }
        assertEquals(0, s / (w.length - 8), 0.2);
        assertEquals(1, s2 / (w.length - 8), 0.25);
        Tensor out = e.forward(Tensor.of(new float[] {3, 5, 3, 5, 5}, 5));
        out.sum().backward();
        float[] g = e.weight().grad().toArray();
        for (int j = 0; j < 8; j++) {
            assertEquals(0f, g[3 * 8 + j]);
            assertEquals(3f, g[5 * 8 + j]);
            assertEquals(0f, g[0 * 8 + j]);
        }
        assertEquals(-1, new Embedding(4, 2).paddingIdx());
        assertEquals(3, new Embedding(4, 2, -1, new Rng(1)).paddingIdx());
    }

    @Test
    void positionalEncodings() {
        SinusoidalPositionalEncoding pe = new SinusoidalPositionalEncoding(6, 10, true);
        Tensor x = Tensor.zeros(2, 4, 6);
        Tensor y = pe.forward(x);
        for (int p = 0; p < 4; p++) {
            for (int i = 0; i < 3; i++) {
                double angle = p / Math.pow(10000, 2.0 * i / 6);
                assertEquals(Math.sin(angle), y.get(1, p, 2 * i), 1e-6);
                assertEquals(Math.cos(angle), y.get(1, p, 2 * i + 1), 1e-6);
            }
        }
        assertTrue(pe.stateDict().containsKey("pe"));
        LearnedPositionalEncoding lpe = new LearnedPositionalEncoding(5, 3, false, new Rng(2));
        Tensor xs = Tensor.randn(new Rng(3), 4, 2, 3).requiresGrad(true);
        Tensor ys = lpe.forward(xs);
        assertEquals(xs.get(2, 1, 0) + lpe.weight().get(2, 0), ys.get(2, 1, 0), 1e-6);
        ys.sum().backward();
        assertEquals(2f, lpe.weight().grad().get(3, 1));
        assertEquals(0f, lpe.weight().grad().get(4, 1));
        assertMessage(assertThrows(ShapeException.class, () -> lpe.forward(Tensor.zeros(6, 2, 3))), "LearnedPositionalEncoding", "6", "max_len 5");
        assertMessage(assertThrows(ShapeException.class, () -> pe.forward(Tensor.zeros(2, 4, 5))), "SinusoidalPositionalEncoding", "[B, L, 6]", "[2, 4, 5]");
    }

    @Test
    void parallelSplitDoesNotChangeResults() {
        Rng rng = new Rng(14);
        TransformerEncoderLayer layer = new TransformerEncoderLayer(16, 4, 32, 0.0, "gelu", true, true, rng);
        Tensor x = Tensor.randn(rng, 3, 9, 16);
        int threads = Parallel.threads();
        Tensor a, b;
        try {
            Parallel.setThreads(1);
            a = layer.forward(x, null, null, true);
            Parallel.setThreads(3);
            b = layer.forward(x, null, null, true);
        } finally {
            Parallel.setThreads(threads);
        }
        assertClose(a, b, 0);
    }

    // ------------------------------------------------------------------------------------------------ errors

    @Test
    void embeddingRejectsBadIds() {
        Sequential model = new Sequential(new Embedding(10, 4));
        Module emb = model.get(0);
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> emb.forward(Tensor.of(new float[] {1, 10, 2}, 3))),
                "0 (Embedding)", "token id 10", "vocabulary of 10", "position 1");
        assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> emb.forward(Tensor.of(new float[] {-1}, 1))),
                "0 (Embedding)", "token id -1", "vocabulary of 10");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.of(new float[] {1.5f, 2}, 2))),
                "0 (Embedding)", "token id 1.5", "not a whole number");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4, new Rng(1))), "padding_idx 4");
    }

    @Test
    void maskOfWrongShape() {
        Tensor q = Tensor.zeros(2, 2, 3, 4), k = Tensor.zeros(2, 2, 5, 4);
        assertMessage(assertThrows(ShapeException.class, () -> AttentionOp.scaledDotProductAttention(q, k, k, AttentionMask.additive(Tensor.zeros(3, 4)), null, false, 0, false)),
                "scaled_dot_product_attention", "attn_mask", "[3, 4]", "[2, 2, 3, 5]");
        assertMessage(assertThrows(ShapeException.class, () -> AttentionOp.scaledDotProductAttention(q, k, k, null, AttentionMask.bool(Tensor.zeros(2, 4)), false, 0, false)),
                "key_padding_mask", "[2, 4]", "[2, 5]");
        Sequential model = new Sequential(new MultiheadAttention(8, 2, 0, true, true, new Rng(1)));
        MultiheadAttention m = (MultiheadAttention) model.get(0);
        Tensor x = Tensor.zeros(2, 5, 8);
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(x, x, x, AttentionMask.bool(Tensor.zeros(5, 2)), null, false, true)),
                "0 (MultiheadAttention)", "key_padding_mask", "[5, 2]", "[2, 5]");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(x, x, x, null, AttentionMask.additive(Tensor.zeros(2, 5, 5)), false, true)),
                "0 (MultiheadAttention)", "attn_mask", "[2, 5, 5]", "[5, 5]", "[4, 5, 5]");
        TransformerEncoderLayer enc = new TransformerEncoderLayer(8, 2, 16, 0, "relu", false, true, new Rng(1));
        assertMessage(assertThrows(ShapeException.class, () -> enc.forward(x, AttentionMask.additive(Tensor.zeros(4, 4)), null, false)),
                "self_attn (MultiheadAttention)", "attn_mask", "[4, 4]");
    }

    @Test
    void badConfigurationAndFeatureSizes() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3)), "embed_dim 10", "num_heads 3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 3, 16)), "embed_dim 8", "num_heads 3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(8, 2, 16, 0, "tanh", false, false, new Rng(1))),
                "TransformerEncoderLayer", "\"tanh\"");
        MultiheadAttention m = new MultiheadAttention(8, 2);
        Tensor x = Tensor.zeros(5, 2, 8);
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(Tensor.zeros(5, 2, 6))), "MultiheadAttention", "[5, 2, 6]", "embed_dim 8");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(x, Tensor.zeros(4, 2, 6), Tensor.zeros(4, 2, 6), null, null, false, true)),
                "MultiheadAttention", "key [4, 2, 6]", "8 features");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(x, Tensor.zeros(4, 3, 8), Tensor.zeros(4, 3, 8), null, null, false, true)),
                "batch sizes", "[5, 2, 8]", "[4, 3, 8]");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(x, Tensor.zeros(4, 2, 8), Tensor.zeros(3, 2, 8), null, null, false, true)),
                "key [4, 2, 8]", "value [3, 2, 8]");
        assertMessage(assertThrows(ShapeException.class, () -> AttentionOp.scaledDotProductAttention(Tensor.zeros(1, 2, 3, 4), Tensor.zeros(1, 2, 3, 5),
                Tensor.zeros(1, 2, 3, 5), null, null, false, 0, false)), "scaled_dot_product_attention", "[1, 2, 3, 4]", "[1, 2, 3, 5]");
        TransformerDecoderLayer dec = new TransformerDecoderLayer(8, 2, 16);
        assertMessage(assertThrows(UnsupportedOperationException.class, () -> dec.forward(x)), "TransformerDecoderLayer", "memory");
        MultiheadAttention.KVCache cache = m.newCache(3, 4);
        assertMessage(assertThrows(ShapeException.class, () -> m.forwardCached(Tensor.zeros(1, 2, 8), cache, null)), "batch 2", "batch 3");
    }

    /** An observer sees each forward's per-head weights (what needWeights without averaging returns); null stops. */
    @Test
    void observedWeightsAreThePerHeadWeights() {
        Rng rng = new Rng(31);
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, true, rng);
        Tensor x = Tensor.randn(rng, 3, 5, 8);
        AttentionOp.Result expected = mha.forward(x, x, x, null, null, true, false, true);
        List<Tensor> seen = new ArrayList<>();
        mha.observeWeights(seen::add);
        Tensor y = mha.forward(x, x, x, null, null, false, true, true).output();   // asks for no weights
        assertEquals(1, seen.size());
        assertArrayEquals(new int[] {3, 2, 5, 5}, seen.get(0).shape());
        assertArrayEquals(expected.weights().toArray(), seen.get(0).toArray(), 1e-7f);
        assertArrayEquals(expected.output().toArray(), y.toArray(), 1e-6f);
        float[] w = seen.get(0).toArray();
        assertEquals(0f, w[1], "causal: the first query sees only itself");
        mha.observeWeights(null);
        mha.forward(x);
        assertEquals(1, seen.size());
    }
}
