package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * MultiheadAttention with kdim/vdim (PyTorch's separate projection layout) and TransformerDecoder: names, shapes,
 * initialisation, errors, and that the decoder hands every mask to every layer. The numbers against PyTorch are in
 * {@link Attention2FixtureTest}.
 */
class Attention2Test {

    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        float[] a = expected.toArray(), b = actual.toArray();
        for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], tol, "element " + i);
    }

    private static float maxAbs(Tensor t) {
        float m = 0;
        for (float v : t.toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    /** A copy of seq-first x [L, B, E] with position {@code l} replaced by other numbers. */
    private static Tensor perturbPosition(Tensor x, int l, Rng rng) {
        float[] a = x.toArray();
        int row = x.size(1) * x.size(2);
        for (int i = l * row; i < (l + 1) * row; i++) a[i] += 3 * (float) rng.nextGaussian();
        return Tensor.of(a, x.shape());
    }

    // ------------------------------------------------------------------------------------------------ MHA kdim/vdim

    @Test
    void separateLayoutHasPyTorchsNamesShapesAndInit() {
        MultiheadAttention m = new MultiheadAttention(64, 4, 0.0, true, 32, 16, false, new Rng(3));
        assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                new ArrayList<>(m.stateDict().keySet()));
        assertFalse(m.packedProjection());
        assertNull(m.inProjWeight());
        assertEquals(32, m.kdim());
        assertEquals(16, m.vdim());
        assertArrayEquals(new int[] {64, 64}, m.qProjWeight().shape());
        assertArrayEquals(new int[] {64, 32}, m.kProjWeight().shape());
        assertArrayEquals(new int[] {64, 16}, m.vProjWeight().shape());
        assertArrayEquals(new int[] {192}, m.inProjBias().shape());
        assertArrayEquals(new int[] {64, 64}, m.outProj().weight().shape());
        // xavier_uniform on each weight separately: bound √(6/(fan_in + fan_out)) of that weight
        Tensor[] w = {m.qProjWeight(), m.kProjWeight(), m.vProjWeight()};
        int[] fanIn = {64, 32, 16};
        for (int i = 0; i < 3; i++) {
            float bound = (float) Math.sqrt(6.0 / (fanIn[i] + 64)), max = maxAbs(w[i]);
            assertTrue(max <= bound && max > 0.95f * bound, "weight " + i + ": xavier bound " + bound + ", max " + max);
        }
        assertEquals(0f, maxAbs(m.inProjBias()));
        assertEquals(0f, maxAbs(m.outProj().bias()));
        assertTrue(m.toString().contains("kdim=32, vdim=16"), m.toString());
        MultiheadAttention noBias = new MultiheadAttention(8, 2, 0.0, false, 8, 5, true, new Rng(3));
        assertEquals(List.of("q_proj_weight", "k_proj_weight", "v_proj_weight", "out_proj.weight"), new ArrayList<>(noBias.stateDict().keySet()));
    }

    /** kdim = vdim = embed_dim given explicitly is PyTorch's packed layout, drawn exactly as the plain constructor. */
    @Test
    void equalKdimVdimKeepPackedLayout() {
        MultiheadAttention explicit = new MultiheadAttention(8, 2, 0.0, true, 8, 8, true, new Rng(4));
        MultiheadAttention plain = new MultiheadAttention(8, 2, 0.0, true, true, new Rng(4));
        assertTrue(explicit.packedProjection());
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), new ArrayList<>(explicit.stateDict().keySet()));
        assertNull(explicit.qProjWeight());
        assertArrayEquals(plain.inProjWeight().toArray(), explicit.inProjWeight().toArray());
        assertFalse(explicit.toString().contains("kdim"));
    }

    /** A separate-layout state dict moves into a fresh layer unchanged (strict), and the two then agree exactly. */
    @Test
    void separateLayoutStateDictRoundTrips() {
        Rng rng = new Rng(5);
        MultiheadAttention a = new MultiheadAttention(6, 3, 0.0, true, 4, 7, true, rng), b = new MultiheadAttention(6, 3, 0.0, true, 4, 7, true, rng);
        for (Tensor p : a.parameters()) p.copyFrom_(Tensor.randn(rng, p.shape()).mul(0.5f));
        b.loadStateDict(a.stateDict(), true);
        Tensor q = Tensor.randn(rng, 2, 3, 6), k = Tensor.randn(rng, 2, 5, 4), v = Tensor.randn(rng, 2, 5, 7);
        assertClose(a.forward(q, k, v, null, null, false, true).output(), b.forward(q, k, v, null, null, false, true).output(), 0);
        MultiheadAttention packed = new MultiheadAttention(6, 3, 0.0, true, true, rng);
        assertThrows(StateDicts.StateDictException.class, () -> packed.loadStateDict(a.stateDict(), true));
    }

    /** Keys [.., kdim] and values [.., vdim]; output [.., E] shaped like the query, weights [B, Lq, Lk]; training dropout. */
    @Test
    void separateLayoutShapesAndDropout() {
        Rng rng = new Rng(6);
        MultiheadAttention m = new MultiheadAttention(8, 2, 0.5, true, 3, 5, false, rng);
        Tensor q = Tensor.randn(rng, 4, 2, 8), k = Tensor.randn(rng, 6, 2, 3), v = Tensor.randn(rng, 6, 2, 5);
        var train = m.forward(q, k, v, null, null, true, false);
        assertArrayEquals(new int[] {4, 2, 8}, train.output().shape());
        assertArrayEquals(new int[] {2, 2, 4, 6}, train.weights().shape());
        m.eval();
        var eval = m.forward(q, k, v, null, null, true, false);
        float[] tw = train.weights().toArray(), ew = eval.weights().toArray();
        int zeros = 0;
        for (int i = 0; i < tw.length; i++) {
            if (tw[i] == 0) zeros++;
            else assertEquals(2 * ew[i], tw[i], 1e-6);
        }
        assertTrue(zeros > 0 && zeros < tw.length, "dropped " + zeros + " of " + tw.length);
    }

    @Test
    void badKdimVdimAndInputsAreNamed() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(8, 2, 0.0, true, 0, 4, false, new Rng(1))),
                "MultiheadAttention", "kdim 0", "vdim 4");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(8, 2, 0.0, true, 4, -1, false, new Rng(1))),
                "MultiheadAttention", "kdim 4", "vdim -1");
        Sequential model = new Sequential(new MultiheadAttention(8, 2, 0.0, true, 5, 3, false, new Rng(1)));
        MultiheadAttention m = (MultiheadAttention) model.get(0);
        Tensor q = Tensor.zeros(4, 2, 8), k = Tensor.zeros(6, 2, 5), v = Tensor.zeros(6, 2, 3);
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(q, Tensor.zeros(6, 2, 4), v, null, null, false, true)),
                "0 (MultiheadAttention)", "key [6, 2, 4]", "5 features (kdim)", "got 4");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(q, k, Tensor.zeros(6, 2, 5), null, null, false, true)),
                "0 (MultiheadAttention)", "value [6, 2, 5]", "3 features (vdim)", "got 5");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(q, k, Tensor.zeros(7, 2, 3), null, null, false, true)),
                "0 (MultiheadAttention)", "key [6, 2, 5]", "value [7, 2, 3]");
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(Tensor.zeros(4, 2, 5), k, v, null, null, false, true)),
                "0 (MultiheadAttention)", "[4, 2, 5]", "embed_dim 8");
        // self-attention needs keys of kdim features
        assertMessage(assertThrows(ShapeException.class, () -> m.forward(q)), "0 (MultiheadAttention)", "key [4, 2, 8]", "5 features");
        MultiheadAttention.KVCache cache = m.newCache(2, 4);
        try (var ignored = Autograd.noGrad()) {
            assertMessage(assertThrows(ShapeException.class, () -> m.forwardCached(Tensor.zeros(1, 2, 8), cache, null)),
                    "0 (MultiheadAttention)", "kdim 5", "vdim 3");
        }
    }

    // ------------------------------------------------------------------------------------------------ TransformerDecoder

    @Test
    void decoderStateDictNamesAndIndependentLayers() {
        TransformerDecoder dec = new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16), 2, new LayerNorm(8));
        List<String> keys = new ArrayList<>(dec.stateDict().keySet());
        assertEquals(2 * 18 + 2, keys.size());
        assertEquals("layers.0.self_attn.in_proj_weight", keys.get(0));
        assertEquals("layers.1.self_attn.in_proj_weight", keys.get(18));
        assertEquals(List.of("norm.weight", "norm.bias"), keys.subList(36, 38));
        assertTrue(keys.containsAll(List.of("layers.1.multihead_attn.out_proj.bias", "layers.0.norm3.weight", "layers.1.linear2.weight")));
        Map<String, Tensor> sd = dec.stateDict();
        Tensor w0 = sd.get("layers.0.linear1.weight"), w1 = sd.get("layers.1.linear1.weight");
        assertNotSame(w0, w1);
        assertFalse(Arrays.equals(w0.toArray(), w1.toArray()), "each layer starts from its own draw");
        assertEquals(2, dec.numLayers());
        assertTrue(dec.layer(1).path().equals("layers.1"), dec.layer(1).path());
        assertEquals(keys.size() - 2, new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16), 2).stateDict().size());
        assertNull(new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16), 1).norm());
    }

    @Test
    void decoderErrors() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16), 0)),
                "TransformerDecoder", "num_layers", "0");
        TransformerDecoder dec = new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16), 2);
        assertMessage(assertThrows(UnsupportedOperationException.class, () -> dec.forward(Tensor.zeros(3, 2, 8))), "TransformerDecoder", "memory");
        // a wrong memory is reported by the layer that reads it, with its path
        assertMessage(assertThrows(ShapeException.class, () -> dec.forward(Tensor.zeros(3, 2, 8), Tensor.zeros(4, 2, 6))),
                "layers.0.multihead_attn (MultiheadAttention)", "key [4, 2, 6]", "8 features");
    }

    /** The decoder is its layers in turn and then the norm, bit for bit. */
    @Test
    void decoderIsItsLayersThenNorm() {
        Rng rng = new Rng(8);
        TransformerDecoder dec = new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", true, true, rng), 3, new LayerNorm(8));
        for (Tensor p : dec.parameters()) p.copyFrom_(p.add(Tensor.uniform(rng, -0.3, 0.3, p.shape())));
        Tensor tgt = Tensor.randn(rng, 2, 4, 8), mem = Tensor.randn(rng, 2, 5, 8);
        AttentionMask mkpm = AttentionMask.bool(Tensor.of(new float[] {0, 0, 1, 0, 0, 1, 0, 0, 0, 0}, 2, 5));
        Tensor x = tgt;
        for (int i = 0; i < 3; i++) x = dec.layer(i).forward(x, mem, null, null, null, mkpm, true);
        x = ((LayerNorm) dec.children().get("norm")).forward(x);
        assertClose(x, dec.forward(tgt, mem, null, null, null, mkpm, true), 0);
    }

    /**
     * Every mask reaches every layer: with a memory position masked (memory padding), a target position masked as a
     * key (target padding) or causality, changing what is masked does not change the outputs it must not reach, through
     * both layers. The causal flag and the causal mask tensor give the same result.
     */
    @Test
    void decoderPassesEveryMaskToEveryLayer() {
        for (boolean normFirst : new boolean[] {false, true}) {
            Rng rng = new Rng(9);
            TransformerDecoder dec = new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16, 0.0, "relu", normFirst, false, rng), 2);
            dec.eval();
            for (Tensor p : dec.parameters()) p.copyFrom_(p.add(Tensor.uniform(rng, -0.3, 0.3, p.shape())));
            int t = 4, s = 5, b = 2;
            Tensor tgt = Tensor.randn(rng, t, b, 8), mem = Tensor.randn(rng, s, b, 8);
            // memory position 2 padded in both batch rows (and also blocked for every query by memory_mask)
            float[] mk = new float[b * s];
            mk[2] = mk[s + 2] = 1;
            AttentionMask mkpm = AttentionMask.bool(Tensor.of(mk, b, s));
            Tensor y = dec.forward(tgt, mem, null, null, null, mkpm, false);
            Tensor y2 = dec.forward(tgt, perturbPosition(mem, 2, rng), null, null, null, mkpm, false);
            assertClose(y, y2, 1e-6);
            assertTrue(maxAbs(y.sub(dec.forward(tgt, perturbPosition(mem, 1, rng), null, null, null, mkpm, false))) > 1e-3, "unmasked memory matters");
            float[] mm = new float[t * s];
            for (int i = 0; i < t; i++) mm[i * s + 2] = 1;
            AttentionMask memMask = AttentionMask.bool(Tensor.of(mm, t, s));
            assertClose(dec.forward(tgt, mem, null, memMask, null, null, false), dec.forward(tgt, perturbPosition(mem, 2, rng), null, memMask, null, null, false), 1e-6);
            // target position 3 padded as a key: positions 0..2 do not see it (in either layer's self-attention)
            float[] tk = new float[b * t];
            tk[3] = tk[t + 3] = 1;
            AttentionMask tkpm = AttentionMask.bool(Tensor.of(tk, b, t));
            Tensor z = dec.forward(tgt, mem, null, null, tkpm, null, false), z2 = dec.forward(perturbPosition(tgt, 3, rng), mem, null, null, tkpm, null, false);
            assertClose(z.narrow(0, 0, 3), z2.narrow(0, 0, 3), 1e-6);
            // causal: the flag equals the mask tensor, and earlier positions ignore a later one
            float[] cm = new float[t * t];
            for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) cm[i * t + j] = Float.NEGATIVE_INFINITY;
            Tensor c = dec.forward(tgt, mem, null, null, null, null, true);
            assertClose(c, dec.forward(tgt, mem, AttentionMask.additive(Tensor.of(cm, t, t)), null, null, null), 1e-6);
            assertClose(c.narrow(0, 0, 3), dec.forward(perturbPosition(tgt, 3, rng), mem, null, null, null, null, true).narrow(0, 0, 3), 1e-6);
            assertTrue(maxAbs(c.sub(dec.forward(tgt, mem))) > 1e-3, "causality matters");
        }
    }
}
