package dev.lamina.nn;

import static dev.lamina.Fixtures.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Fixtures;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Embedding, scaled dot-product attention, MultiheadAttention and the transformer layers against PyTorch 1.13
 * (tools/fixtures/make_attn_fixtures.py, CASES-attn_.md): outputs, attention weights, and the gradients w.r.t. every
 * input and every parameter, with PyTorch's parameters loaded by their state-dict names.
 */
class AttentionFixtureTest {

    // ------------------------------------------------------------------------------------------------ Embedding

    static Stream<Arguments> embeddings() {
        return Stream.of(
                Arguments.of("attn_emb_basic", 10, 4, null),
                Arguments.of("attn_emb_padding", 8, 3, 2),
                Arguments.of("attn_emb_negpad_1d", 6, 5, -1));
    }

    @ParameterizedTest
    @MethodSource("embeddings")
    void embeddingMatchesPyTorch(String f, int num, int dim, Integer paddingIdx) {
        Embedding e = new Embedding(num, dim, paddingIdx, new Rng(1));
        e.weight().copyFrom_(Fixtures.tensor(f, "weight"));
        Tensor out = e.forward(Fixtures.tensor(f, "ids"));
        Fixtures.assertMatches(f, "out", out);
        out.backward(Fixtures.tensor(f, "gout"));
        Fixtures.assertMatches(f, "gweight", e.weight().grad());
    }

    // ------------------------------------------------------------------------------------------------ SDPA

    private static AttentionMask mask(String f, String name, boolean additive) {
        if (!Fixtures.has(f, name)) return null;
        return additive ? AttentionMask.additive(Fixtures.tensor(f, name)) : AttentionMask.bool(Fixtures.tensor(f, name));
    }

    private static AttentionMask mask(Fixtures.Case c, String name, boolean additive) {
        return mask(c.name(), name, additive);
    }

    /** in0, in1, ... of a case as leaves that require grad. */
    private static Tensor[] inputs(String f) {
        int n = 0;
        while (Fixtures.has(f, "in" + n)) n++;
        Tensor[] xs = new Tensor[n];
        for (int i = 0; i < n; i++) xs[i] = Fixtures.tensor(f, "in" + i).requiresGrad(true);
        return xs;
    }

    private static Tensor sdpa(Fixtures.Case c, boolean additiveMask, boolean causal) {
        return AttentionOp.scaledDotProductAttention(c.in(0), c.in(1), c.in(2), mask(c, "attn_mask", additiveMask), mask(c, "kpm", false),
                causal, 0.0, false).output();
    }

    static Stream<Arguments> sdpaCases() {
        return Stream.of(
                op("attn_sdpa_basic", c -> sdpa(c, true, false)),
                op("attn_sdpa_causal", c -> sdpa(c, true, true)),
                op("attn_sdpa_causal_offset", c -> sdpa(c, true, true)),
                op("attn_sdpa_kpm", c -> sdpa(c, true, false)),
                op("attn_sdpa_addmask", c -> sdpa(c, true, false)),
                op("attn_sdpa_bool4d_kpm", c -> sdpa(c, false, true)),
                op("attn_sdpa_long_causal_kpm", c -> sdpa(c, true, true)));
    }

    @ParameterizedTest
    @MethodSource("sdpaCases")
    void sdpaMatchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    /** Output and weights both returned; the loss uses both, so the gradient also flows back through the weights. */
    @ParameterizedTest
    @ValueSource(strings = {"attn_sdpa_weights", "attn_sdpa_long"})
    @Fixtures.Covers({"attn_sdpa_weights", "attn_sdpa_long"})
    void sdpaWeightsMatchPyTorch(String f) {
        Tensor[] x = inputs(f);
        AttentionOp.Result r = AttentionOp.scaledDotProductAttention(x[0], x[1], x[2], mask(f, "attn_mask", true), mask(f, "kpm", false),
                false, 0.0, true);
        Fixtures.assertMatches(f, "out", r.output());
        Fixtures.assertMatches(f, "weights", r.weights());
        r.output().mul(Fixtures.tensor(f, "gout")).sum().add(r.weights().mul(Fixtures.tensor(f, "gweights")).sum()).backward();
        for (int i = 0; i < 3; i++) Fixtures.assertMatches(f, "gin" + i, x[i].grad());
    }

    // ------------------------------------------------------------------------------------------------ modules

    /** Runs the module on the case's inputs; returns {output, weights or null}. */
    @FunctionalInterface
    interface Call {
        Tensor[] apply(Module m, Tensor[] in, String f);
    }

    private static Arguments module(String fixture, Supplier<Module> make, Call call) {
        return Arguments.argumentSet(fixture, fixture, make, call);
    }

    private static Tensor[] mha(Module m, Tensor q, Tensor k, Tensor v, AttentionMask kpm, AttentionMask am, boolean weights, boolean avg) {
        AttentionOp.Result r = ((MultiheadAttention) m).forward(q, k, v, kpm, am, weights, avg);
        return new Tensor[] {r.output(), r.weights()};
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t, null};
    }

    static Stream<Arguments> modules() {
        Rng r = new Rng(5);
        return Stream.of(
                module("attn_mha_self", () -> new MultiheadAttention(8, 2, 0.0, true, false, r),
                        (m, in, f) -> mha(m, in[0], in[0], in[0], null, null, true, true)),
                module("attn_mha_self_bf_masks", () -> new MultiheadAttention(8, 4, 0.0, true, true, r),
                        (m, in, f) -> mha(m, in[0], in[0], in[0], mask(f, "kpm", false), mask(f, "attn_mask", true), true, false)),
                module("attn_mha_cross", () -> new MultiheadAttention(8, 2, 0.0, true, false, r),
                        (m, in, f) -> mha(m, in[0], in[1], in[1], mask(f, "kpm", false), null, false, true)),
                module("attn_mha_cross_kv_bf", () -> new MultiheadAttention(6, 3, 0.0, true, true, r),
                        (m, in, f) -> mha(m, in[0], in[1], in[2], null, mask(f, "attn_mask", false), true, true)),
                module("attn_mha_nobias", () -> new MultiheadAttention(8, 2, 0.0, false, false, r),
                        (m, in, f) -> mha(m, in[0], in[0], in[0], null, mask(f, "attn_mask", true), false, true)),
                module("attn_mha_unbatched", () -> new MultiheadAttention(4, 2, 0.0, true, false, r),
                        (m, in, f) -> mha(m, in[0], in[0], in[0], null, null, true, true)),
                module("attn_enc_post_relu", () -> new TransformerEncoderLayer(8, 2, 16, 0.0, "relu", false, false, r),
                        (m, in, f) -> one(m.forward(in[0]))),
                module("attn_enc_pre_gelu", () -> new TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", true, false, r),
                        (m, in, f) -> one(m.forward(in[0]))),
                // the causal float mask given as a tensor here, and as the kernel's causal flag in the next case
                module("attn_enc_post_gelu_bf_masks", () -> new TransformerEncoderLayer(8, 2, 16, 0.0, "gelu", false, true, r),
                        (m, in, f) -> one(((TransformerEncoderLayer) m).forward(in[0], mask(f, "src_mask", true), mask(f, "kpm", false), false))),
                module("attn_enc_pre_relu_bf_masks", () -> new TransformerEncoderLayer(8, 2, 16, 0.0, "relu", true, true, r),
                        (m, in, f) -> one(((TransformerEncoderLayer) m).forward(in[0], null, mask(f, "kpm", false), true))),
                module("attn_dec_post_relu", () -> new TransformerDecoderLayer(8, 2, 16, 0.0, "relu", false, false, r),
                        (m, in, f) -> one(((TransformerDecoderLayer) m).forward(in[0], in[1]))),
                module("attn_dec_pre_gelu_masks", () -> new TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", true, false, r),
                        (m, in, f) -> one(((TransformerDecoderLayer) m).forward(in[0], in[1], mask(f, "tgt_mask", true), null, null,
                                mask(f, "memory_kpm", false), false))),
                module("attn_dec_post_gelu_bf_masks", () -> new TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", false, true, r),
                        (m, in, f) -> one(((TransformerDecoderLayer) m).forward(in[0], in[1], null, null, null,
                                mask(f, "memory_kpm", false), true))),
                module("attn_dec_pre_relu_bf", () -> new TransformerDecoderLayer(8, 2, 16, 0.0, "relu", true, true, r),
                        (m, in, f) -> one(((TransformerDecoderLayer) m).forward(in[0], in[1]))),
                module("attn_stack_encoder", () -> new TransformerEncoder(() -> new TransformerEncoderLayer(8, 2, 16, 0.0, "relu", true, true, r), 2, new LayerNorm(8)),
                        (m, in, f) -> one(((TransformerEncoder) m).forward(in[0], mask(f, "src_mask", true), null, false))));
    }

    /**
     * Loads PyTorch's parameters by state-dict name (every parameter of the module must have one), runs the module,
     * and compares the output, the weights, and the gradients of every input and parameter.
     */
    @ParameterizedTest
    @MethodSource("modules")
    void moduleMatchesPyTorch(String f, Supplier<Module> make, Call call) {
        Module m = make.get();
        Map<String, Tensor> params = m.namedParameters();
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            assertTrue(Fixtures.has(f, "p_" + p.getKey()), f + ": PyTorch has no parameter named " + p.getKey());
            p.getValue().copyFrom_(Fixtures.tensor(f, "p_" + p.getKey()));
        }
        m.eval();
        Tensor[] in = inputs(f);
        checkOutputsAndGradients(f, call.apply(m, in, f), in, params);
    }

    /**
     * res[0] (and res[1], the attention weights, when returned) against the fixture's out (weights); then backward of
     * Σ out·gout (+ Σ weights·gweights) and every input's and parameter's gradient against gin&lt;i&gt; and g_&lt;name&gt;.
     */
    static void checkOutputsAndGradients(String f, Tensor[] res, Tensor[] in, Map<String, Tensor> params) {
        Fixtures.assertMatches(f, "out", res[0]);
        Tensor loss = res[0].mul(Fixtures.tensor(f, "gout")).sum();
        assertEquals(Fixtures.has(f, "weights"), res[1] != null, f + ": weights returned");
        if (res[1] != null) {
            Fixtures.assertMatches(f, "weights", res[1]);
            loss = loss.add(res[1].mul(Fixtures.tensor(f, "gweights")).sum());
        }
        loss.backward();
        for (int i = 0; i < in.length; i++) Fixtures.assertMatches(f, "gin" + i, in[i].grad());
        for (Map.Entry<String, Tensor> p : params.entrySet()) {
            assertNotNull(p.getValue().grad(), f + ": no gradient for " + p.getKey());
            Fixtures.assertMatches(f, "g_" + p.getKey(), p.getValue().grad());
        }
    }
}
