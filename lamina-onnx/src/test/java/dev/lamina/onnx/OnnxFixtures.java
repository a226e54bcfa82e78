package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.io.Npy;
import dev.lamina.io.NpyArray;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/** The onnx_* fixture directories (tools/fixtures/make_onnx_fixtures.py) and the comparison rule. */
final class OnnxFixtures {
    private OnnxFixtures() {}

    /** Largest accepted relative error (max abs difference over the reference's max magnitude), as in lamina-core. */
    static final double TOLERANCE = 1e-4;

    static Path root() {
        try {
            return Path.of(OnnxFixtures.class.getResource("/fixtures").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Loads the fixture's model.onnx (declaring {@code opset}), runs it on its inputs, and compares every graph output
     * out&lt;k&gt; with out&lt;k&gt;.npy (every output must have one). Returns the number of outputs.
     */
    static int runAndCompare(String fixture, int opset) throws IOException {
        Path dir = dir(fixture);
        OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"));
        assertEquals(opset, model.opset());
        Map<String, Tensor> out = model.run(inputs(fixture));
        List<String> names = OnnxModel.names(model.outputs());
        int k = 0;
        for (; Files.exists(dir.resolve("out" + k + ".npy")); k++) {
            assertEquals("out" + k, names.get(k));
            assertClose(fixture + "/out" + k, npy(dir.resolve("out" + k + ".npy")), out.get("out" + k));
        }
        assertEquals(names.size(), k, fixture + ": reference outputs");
        return k;
    }

    static Path dir(String fixture) {
        return root().resolve(fixture);
    }

    static TreeSet<String> cases() {
        try (Stream<Path> s = Files.list(root())) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(TreeSet::new, TreeSet::add, TreeSet::addAll);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tensor tensor(NpyArray a) {
        return Tensor.of(a.data(), a.shapeCopy());
    }

    static NpyArray npy(Path p) {
        try {
            return Npy.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** in0.npy, in1.npy, ... as feeds named in0, in1, ... */
    static Map<String, Tensor> inputs(String fixture) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int k = 0; Files.exists(dir(fixture).resolve("in" + k + ".npy")); k++) m.put("in" + k, tensor(npy(dir(fixture).resolve("in" + k + ".npy"))));
        return m;
    }

    static double relativeError(float[] actual, float[] expected) {
        double diff = 0, scale = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) return Double.NaN;
            diff = Math.max(diff, d);
            scale = Math.max(scale, Math.abs((double) expected[i]));
        }
        return diff / Math.max(scale, 1e-6);
    }

    static void assertClose(String what, NpyArray expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = relativeError(actual.toArray(), expected.data());
        if (!(err <= TOLERANCE)) {
            fail(String.format("%s: relative error %.3g > %.0e%n  expected %s%n  actual   %s", what, err, TOLERANCE,
                    Arrays.toString(Arrays.copyOf(expected.data(), Math.min(8, expected.data().length))),
                    Arrays.toString(Arrays.copyOf(actual.toArray(), Math.min(8, actual.numel())))));
        }
    }
}
