package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.Fixtures;
import dev.lamina.nn.functional.AttentionMask;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MultiheadAttention with kdim/vdim (separate q/k/v projection weights) and TransformerDecoder against PyTorch 1.13
 * (tools/fixtures/make_attn2_fixtures.py, CASES-attn2_.md). PyTorch's state dict is loaded strictly (the same names
 * and shapes on both sides, nothing missing or left over); the output, the attention weights and the gradients of
 * every input and every parameter are compared.
 */
class Attention2FixtureTest {

    /** Runs the module on the case's inputs; returns {output, weights or null}. */
    @FunctionalInterface
    interface Call {
        Tensor[] apply(Module m, Tensor[] in, String f);
    }

    private static Arguments module(String fixture, Supplier<Module> make, Call call) {
        return Arguments.argumentSet(fixture, fixture, make, call);
    }

    private static AttentionMask mask(String f, String name, boolean additive) {
        if (!Fixtures.has(f, name)) throw new AssertionError(f + ": no mask " + name);
        return additive ? AttentionMask.additive(Fixtures.tensor(f, name)) : AttentionMask.bool(Fixtures.tensor(f, name));
    }

    private static Tensor[] mha(Module m, Tensor q, Tensor k, Tensor v, AttentionMask kpm, AttentionMask am, boolean weights, boolean avg,
                                boolean causal) {
        AttentionOp.Result r = ((MultiheadAttention) m).forward(q, k, v, kpm, am, weights, avg, causal);
        return new Tensor[] {r.output(), r.weights()};
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t, null};
    }

    static Stream<Arguments> modules() {
        Rng r = new Rng(7);
        return Stream.of(
                module("attn2_mha_kv_cross", () -> new MultiheadAttention(8, 2, 0.0, true, 5, 3, false, r),
                        (m, in, f) -> mha(m, in[0], in[1], in[2], mask(f, "kpm", false), mask(f, "attn_mask", true), true, true, false)),
                module("attn2_mha_kv_same_bf_heads", () -> new MultiheadAttention(6, 3, 0.0, true, 4, 4, true, r),
                        (m, in, f) -> mha(m, in[0], in[1], in[1], null, mask(f, "attn_mask", false), true, false, false)),
                // PyTorch got the causal mask as a tensor; here the kernel's causal flag does it
                module("attn2_mha_vdim_causal_nobias", () -> new MultiheadAttention(8, 2, 0.0, false, 8, 5, false, r),
                        (m, in, f) -> mha(m, in[0], in[0], in[1], null, null, false, true, true)),
                module("attn2_mha_kv_unbatched", () -> new MultiheadAttention(4, 2, 0.0, true, 6, 2, false, r),
                        (m, in, f) -> mha(m, in[0], in[1], in[2], null, null, true, true, false)),
                module("attn2_dec_post_masks",
                        () -> new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16, 0.0, "relu", false, false, r), 2),
                        (m, in, f) -> one(((TransformerDecoder) m).forward(in[0], in[1], mask(f, "tgt_mask", true), mask(f, "memory_mask", true),
                                mask(f, "tgt_kpm", false), mask(f, "memory_kpm", false)))),
                module("attn2_dec_pre_bf_norm",
                        () -> new TransformerDecoder(() -> new TransformerDecoderLayer(8, 2, 16, 0.0, "gelu", true, true, r), 2, new LayerNorm(8)),
                        (m, in, f) -> one(((TransformerDecoder) m).forward(in[0], in[1], null, null, null, mask(f, "memory_kpm", false), true))));
    }

    /** The names of the case's {@code p_<name>.npy} files: PyTorch's state dict. */
    private static Set<String> pytorchParameterNames(String f) throws Exception {
        Path dir = Path.of(Attention2FixtureTest.class.getResource("/fixtures/" + f).toURI());
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("p_") && n.endsWith(".npy"))
                    .forEach(n -> names.add(n.substring(2, n.length() - 4)));
        }
        return names;
    }

    @ParameterizedTest
    @MethodSource("modules")
    void moduleMatchesPyTorch(String f, Supplier<Module> make, Call call) throws Exception {
        Module m = make.get();
        Map<String, Tensor> params = m.namedParameters();
        Set<String> names = pytorchParameterNames(f);
        assertEquals(names, new TreeSet<>(params.keySet()), f + ": parameter names");
        Map<String, Tensor> stateDict = new LinkedHashMap<>();
        for (String n : names) stateDict.put(n, Fixtures.tensor(f, "p_" + n));
        m.loadStateDict(stateDict, true);
        m.eval();
        Tensor[] in = new Tensor[(int) Stream.iterate(0, i -> Fixtures.has(f, "in" + i), i -> i + 1).count()];
        for (int i = 0; i < in.length; i++) in[i] = Fixtures.tensor(f, "in" + i).requiresGrad(true);
        AttentionFixtureTest.checkOutputsAndGradients(f, call.apply(m, in, f), in, params);
    }
}
