package dev.lamina;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.io.Npy;
import dev.lamina.io.NpyArray;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.provider.Arguments;

/**
 * Access to the PyTorch reference fixtures under {@code /fixtures/<case>/} on the test classpath (see
 * {@code tools/fixtures/CASES.md}) and the one comparison every fixture test uses.
 *
 * <p>Comparison: shapes must be equal and {@code max|actual − expected| / max(max|expected|, 1e-6) ≤ 1e-4}.
 */
public final class Fixtures {
    /** Largest accepted relative error (max abs difference over the reference's max magnitude). */
    public static final double TOLERANCE = 1e-4;

    private Fixtures() {}

    // ------------------------------------------------------------------------------------------------ loading

    /** True if {@code /fixtures/<fixture>/<name>.npy} exists. */
    public static boolean has(String fixture, String name) {
        return Fixtures.class.getResource(resource(fixture, name)) != null;
    }

    /** Reads {@code /fixtures/<fixture>/<name>.npy}. */
    public static NpyArray load(String fixture, String name) {
        String path = resource(fixture, name);
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) throw new AssertionError("missing fixture " + path + " (run tools/fixtures/make_fixtures.py)");
            return Npy.read(in, path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The array as a (fresh, leaf) tensor; int64 index arrays become integer-valued floats. */
    public static Tensor tensor(String fixture, String name) {
        NpyArray a = load(fixture, name);
        return Tensor.of(a.data(), a.shape());
    }

    private static String resource(String fixture, String name) {
        return "/fixtures/" + fixture + "/" + name + ".npy";
    }

    // ------------------------------------------------------------------------------------------------ comparing

    /** max|a − b| / max(max|b|, 1e-6); NaN anywhere in {@code actual} gives NaN (which fails every check). */
    public static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) throw new IllegalArgumentException(actual.length + " vs " + expected.length + " values");
        double diff = 0, scale = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) return Double.NaN;
            diff = Math.max(diff, d);
            scale = Math.max(scale, Math.abs((double) expected[i]));
        }
        return diff / Math.max(scale, 1e-6);
    }

    /** Asserts {@code actual} has the reference's shape and matches it within {@link #TOLERANCE}. */
    public static void assertClose(String what, NpyArray expected, Tensor actual) {
        assertNotNull(actual, what + ": no tensor (gradient not computed?)");
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] a = actual.toArray();
        double err = relativeError(a, expected.data());
        if (!(err <= TOLERANCE)) {
            fail(String.format("%s: relative error %.3g > %.0e%n  expected %s%n  actual   %s", what, err, TOLERANCE,
                    preview(expected.data()), preview(a)));
        }
    }

    /** Compares {@code actual} with {@code /fixtures/<fixture>/<name>.npy}. */
    public static void assertMatches(String fixture, String name, Tensor actual) {
        assertClose(fixture + "/" + name, load(fixture, name), actual);
    }

    /** Compares plain values (e.g. an optimizer's learning rates) with a 1-D or 0-d reference. */
    public static void assertMatches(String fixture, String name, double... actual) {
        float[] f = new float[actual.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) actual[i];
        NpyArray ref = load(fixture, name);
        assertClose(fixture + "/" + name, ref, Tensor.of(f, ref.shape()));
    }

    private static String preview(float[] v) {
        return v.length <= 12 ? Arrays.toString(v) : Arrays.toString(Arrays.copyOf(v, 12)).replace("]", ", ...]");
    }

    // ------------------------------------------------------------------------------------------------ op cases

    /** Names the fixture cases a non-parameterized test method checks (read by {@link FixtureCoverageTest}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    public @interface Covers {
        String[] value();
    }

    /** An op under test, given the loaded case. */
    @FunctionalInterface
    public interface Op {
        Tensor apply(Case c);
    }

    /** One parameterized row: the case name is the display name. */
    public static Arguments op(String fixture, Op op) {
        return Arguments.argumentSet(fixture, fixture, op);
    }

    /**
     * A loaded fixture case: {@code in(i)} are the inputs {@code in<i>.npy}, created once; those with a reference
     * gradient {@code gin<i>.npy} are leaves with requiresGrad. {@link #get} loads any other array (idx, tgt,
     * cond, ...) without gradient.
     */
    public static final class Case {
        private final String name;
        private final List<Tensor> inputs = new ArrayList<>();

        Case(String name) {
            this.name = name;
            for (int i = 0; has(name, "in" + i); i++) {
                inputs.add(tensor(name, "in" + i).requiresGrad(has(name, "gin" + i)));
            }
        }

        public String name() {
            return name;
        }

        public Tensor in(int i) {
            return inputs.get(i);
        }

        public int inputCount() {
            return inputs.size();
        }

        public Tensor get(String array) {
            return tensor(name, array);
        }

        /** Compares a secondary result (e.g. arg-max indices) with {@code <array>.npy}. */
        public void expect(String array, Tensor actual) {
            assertMatches(name, array, actual);
        }
    }

    /**
     * Runs the standard check: out = op(inputs) against out.npy; then, if the case has gout.npy, backward with it
     * (also for 0-d outputs) and compares every input's gradient with gin<i>.npy.
     *
     * @return the number of arrays compared
     */
    public static int checkOp(String fixture, Op op) {
        Case c = new Case(fixture);
        if (c.inputCount() == 0) fail(fixture + ": no in0.npy");
        Tensor out = op.apply(c);
        assertMatches(fixture, "out", out);
        int compared = 1;
        if (has(fixture, "gout")) {
            out.backward(tensor(fixture, "gout"));
            for (int i = 0; i < c.inputCount(); i++) {
                if (!has(fixture, "gin" + i)) continue;
                assertMatches(fixture, "gin" + i, c.in(i).grad());
                compared++;
            }
        }
        return compared;
    }
}
