package dev.lamina;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/** Every fixture directory is checked by some *FixtureTest, and the comparison helper really rejects mismatches. */
class FixtureCoverageTest {
    /** Tested by {@code dev.lamina.io.NpyTest}. */
    private static final Set<String> ELSEWHERE = Set.of("npy_formats");

    private static final String[] FIXTURE_TESTS = {
        "dev.lamina.tensor.ElementwiseFixtureTest", "dev.lamina.tensor.ReductionFixtureTest",
        "dev.lamina.tensor.MatmulFixtureTest", "dev.lamina.tensor.ShapeOpsFixtureTest",
        "dev.lamina.nn.LinearFixtureTest", "dev.lamina.loss.LossFixtureTest", "dev.lamina.optim.OptimizerFixtureTest",
        "dev.lamina.nn.ConvFixtureTest", "dev.lamina.nn.PoolFixtureTest", "dev.lamina.nn.NormFixtureTest",
        "dev.lamina.io.SafetensorsFixtureTest", "dev.lamina.nn.RnnFixtureTest", "dev.lamina.nn.AttentionFixtureTest",
        "dev.lamina.nn.Layers1dFixtureTest", "dev.lamina.nn.Attention2FixtureTest", "dev.lamina.nn.UpsampleFixtureTest",
        "dev.lamina.models.ModelZooFixtureTest", "dev.lamina.optim.OptimizerParamGroupsFixtureTest",
    };

    @Test
    void everyFixtureCaseIsChecked() throws Exception {
        Set<String> missing = new TreeSet<>(fixtureDirectories());
        missing.removeAll(ELSEWHERE);
        Set<String> covered = coveredCases();
        missing.removeAll(covered);
        assertTrue(missing.isEmpty(), "fixture cases without a test: " + missing);
        assertTrue(covered.size() >= 100, "only " + covered.size() + " cases found; the reflection below is broken");
    }

    private static Set<String> fixtureDirectories() throws IOException, URISyntaxException {
        Path root = Path.of(FixtureCoverageTest.class.getResource("/fixtures").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }

    /** First argument of every @MethodSource row, first column of every @CsvSource row, and @Covers names. */
    private static Set<String> coveredCases() throws Exception {
        Set<String> out = new TreeSet<>();
        for (String name : FIXTURE_TESTS) {
            Class<?> cls = Class.forName(name);
            for (Method m : cls.getDeclaredMethods()) {
                Fixtures.Covers covers = m.getAnnotation(Fixtures.Covers.class);
                if (covers != null) out.addAll(Set.of(covers.value()));
                CsvSource csv = m.getAnnotation(CsvSource.class);
                if (csv != null) for (String row : csv.value()) out.add(row.split(",")[0].strip());
                MethodSource source = m.getAnnotation(MethodSource.class);
                if (source != null) {
                    for (String sourceName : source.value()) {
                        Method provider = cls.getDeclaredMethod(sourceName);
                        provider.setAccessible(true);
                        try (Stream<?> rows = (Stream<?>) provider.invoke(null)) {
                            rows.forEach(r -> out.add((String) ((Arguments) r).get()[0]));
                        }
                    }
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ the harness

    @Test
    void relativeErrorIsMaxAbsDiffOverMaxAbsReference() {
        assertEquals(0.1, Fixtures.relativeError(new float[] {1f, -2.2f}, new float[] {1f, -2f}), 1e-6);
        assertEquals(0.5 / 1e-6, Fixtures.relativeError(new float[] {0.5f}, new float[] {0f}), 1);
        assertTrue(Double.isNaN(Fixtures.relativeError(new float[] {Float.NaN}, new float[] {1f})));
    }

    @Test
    void checkOpRejectsAWrongOutput() {
        // relu and leaky_relu(0.01) differ only by 0.01·x on the negative side
        assertThrows(AssertionFailedError.class, () -> Fixtures.checkOp("relu", c -> c.in(0).leakyRelu(0.01f)));
    }

    @Test
    void checkOpRejectsAWrongShape() {
        assertThrows(AssertionFailedError.class, () -> Fixtures.checkOp("sum_dim1_keep", c -> c.in(0).sum(1, false)));
    }

    @Test
    void checkOpRejectsAWrongOrMissingGradient() {
        // t + t - t is exactly t in float32, but its gradient is twice tanh's
        assertThrows(AssertionFailedError.class, () -> Fixtures.checkOp("tanh", c -> {
            Tensor t = c.in(0).tanh();
            return t.add(t).sub(t.detach());
        }));
        // right values, but off the tape: in0 gets no gradient
        assertThrows(AssertionFailedError.class, () -> Fixtures.checkOp("exp",
                c -> c.in(0).detach().requiresGrad(true).exp()));
    }
}
