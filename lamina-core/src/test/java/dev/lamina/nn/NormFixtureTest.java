package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lamina.Fixtures;
import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Normalization layers against PyTorch (tools/fixtures/make_norm_fixtures.py, CASES-norm_.md): forward, input and
 * affine gradients, BatchNorm running statistics in training and evaluation, PyTorch's state-dict names.
 */
class NormFixtureTest {

    private static Arguments row(String fixture, boolean training, Supplier<Module> make) {
        return Arguments.of(fixture, training, make);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("norm_bn1d_2d", true, () -> new BatchNorm1d(4)),
                row("norm_bn1d_3d", true, () -> new BatchNorm1d(3)),
                row("norm_bn1d_eval", false, () -> new BatchNorm1d(3)),
                row("norm_bn2d", true, () -> new BatchNorm2d(3)),
                row("norm_bn2d_eps_mom", true, () -> new BatchNorm2d(3, 1e-3, 0.3, true, true)),
                row("norm_bn2d_noaffine", true, () -> new BatchNorm2d(4, 1e-5, 0.1, false, true)),
                row("norm_bn2d_eval", false, () -> new BatchNorm2d(3)),
                row("norm_bn2d_eval_noaffine", false, () -> new BatchNorm2d(3, 1e-5, 0.1, false, true)),
                row("norm_bn2d_notrack_eval", false, () -> new BatchNorm2d(3, 1e-5, 0.1, true, false)),
                row("norm_ln", true, () -> new LayerNorm(5)),
                row("norm_ln_2d", true, () -> new LayerNorm(4, 5)),
                row("norm_ln_noaffine", true, () -> new LayerNorm(new int[] {6}, 1e-3, false, true)),
                row("norm_in1d", true, () -> new InstanceNorm1d(3)),
                row("norm_in1d_affine", true, () -> new InstanceNorm1d(3, 1e-5, true)),
                row("norm_in2d", true, () -> new InstanceNorm2d(3)),
                row("norm_in2d_affine", true, () -> new InstanceNorm2d(4, 1e-3, true)),
                row("norm_gn2", true, () -> new GroupNorm(2, 4)),
                row("norm_gn_eqc", true, () -> new GroupNorm(4, 4)),
                row("norm_gn_3d", true, () -> new GroupNorm(3, 6)),
                row("norm_gn_2d", true, () -> new GroupNorm(2, 6)),
                row("norm_gn_noaffine", false, () -> new GroupNorm(2, 4, 1e-3, false)),
                row("norm_rms", true, () -> new RMSNorm(5)),
                row("norm_rms_2d", true, () -> new RMSNorm(new int[] {4, 5}, 1e-5, true)),
                row("norm_rms_noaffine", true, () -> new RMSNorm(new int[] {6}, 1e-6, false)));
    }

    /** Copies weight/bias and the initial running statistics of the fixture into the layer. */
    private static void load(String f, Module m) {
        Map<String, Tensor> state = m.stateDict();
        for (String name : List.of("weight", "bias")) {
            assertEquals(Fixtures.has(f, name), state.containsKey(name), f + ": has " + name);
            if (state.containsKey(name)) state.get(name).copyFrom_(Fixtures.tensor(f, name));
        }
        assertEquals(Fixtures.has(f, "running_mean_init"), state.containsKey("running_mean"), f + ": has running stats");
        if (state.containsKey("running_mean")) {
            state.get("running_mean").copyFrom_(Fixtures.tensor(f, "running_mean_init"));
            state.get("running_var").copyFrom_(Fixtures.tensor(f, "running_var_init"));
        }
    }

    /** Forward on in0, backward with gout; compares out, gin0, gweight, gbias. */
    private static void checkForwardBackward(String f, Module m) {
        Tensor x = Fixtures.tensor(f, "in0").requiresGrad(true);
        Tensor out = m.forward(x);
        Fixtures.assertMatches(f, "out", out);
        out.backward(Fixtures.tensor(f, "gout"));
        Fixtures.assertMatches(f, "gin0", x.grad());
        Map<String, Tensor> params = m.namedParameters();
        for (String name : List.of("weight", "bias")) {
            if (params.containsKey(name)) Fixtures.assertMatches(f, "g" + name, params.get(name).grad());
        }
    }

    private static void checkStats(String f, Module m, String suffix) {
        Map<String, Tensor> state = m.stateDict();
        Fixtures.assertMatches(f, "running_mean" + suffix, state.get("running_mean"));
        Fixtures.assertMatches(f, "running_var" + suffix, state.get("running_var"));
        Fixtures.assertMatches(f, "num_batches_tracked" + suffix, state.get("num_batches_tracked"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void layer(String f, boolean training, Supplier<Module> make) {
        Module m = make.get();
        m.train(training);
        load(f, m);
        checkForwardBackward(f, m);
        if (Fixtures.has(f, "running_mean")) checkStats(f, m, "");
    }

    static Stream<Arguments> stepCases() {
        return Stream.of(
                Arguments.of("norm_bn2d_steps", (Supplier<Module>) () -> new BatchNorm2d(3)),
                Arguments.of("norm_bn2d_steps_cumavg", (Supplier<Module>) () -> new BatchNorm2d(3, 1e-5, null, true, true)),
                Arguments.of("norm_bn1d_steps", (Supplier<Module>) () -> new BatchNorm1d(5)));
    }

    /** Two training forwards (outputs and running statistics after each), then evaluation with gradients. */
    @ParameterizedTest
    @MethodSource("stepCases")
    void batchNormSteps(String f, Supplier<Module> make) {
        Module m = make.get();
        load(f, m);
        m.train();
        for (int step = 1; step <= 2; step++) {
            Fixtures.assertMatches(f, "out" + step, m.forward(Fixtures.tensor(f, "x" + step)));
            checkStats(f, m, "_" + step);
        }
        m.eval();
        checkForwardBackward(f, m);
        checkStats(f, m, "_2"); // evaluation leaves the buffers alone
    }

    @Test
    void stateDictNamesFollowPyTorch() {
        Map<String, Tensor> bn = new BatchNorm2d(3).stateDict();
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.keySet()));
        assertArrayEquals(new int[0], bn.get("num_batches_tracked").shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(new BatchNorm1d(3).namedParameters().keySet()));
        assertEquals(List.of("running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(new BatchNorm1d(3, 1e-5, 0.1, false, true).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(new BatchNorm2d(3, 1e-5, 0.1, true, false).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(new LayerNorm(4, 5).stateDict().keySet()));
        assertEquals(List.of("weight"), List.copyOf(new LayerNorm(new int[] {4}, 1e-5, true, false).stateDict().keySet()));
        assertEquals(List.of("weight"), List.copyOf(new RMSNorm(4).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(new GroupNorm(2, 4).stateDict().keySet()));
        assertEquals(List.of(), List.copyOf(new InstanceNorm2d(4).stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(new InstanceNorm1d(4, 1e-5, true).stateDict().keySet()));
        assertEquals(Math.ulp(1.0f), new RMSNorm(4).eps());
        assertNull(new BatchNorm2d(3, 1e-5, null, true, true).momentum());
    }

    /** Unbatched instance-norm input gives the batched result of each sample. */
    @Test
    void instanceNormUnbatched() {
        String f = "norm_in2d_affine";
        InstanceNorm2d m = new InstanceNorm2d(4, 1e-3, true);
        load(f, m);
        Tensor x = Fixtures.tensor(f, "in0");
        Tensor out = Tensor.stack(List.of(m.forward(x.select(0, 0)), m.forward(x.select(0, 1))), 0);
        Fixtures.assertMatches(f, "out", out);
    }
}
