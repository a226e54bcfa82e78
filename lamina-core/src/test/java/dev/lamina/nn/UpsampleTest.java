package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.GradCheck;
import dev.lamina.kernels.Parallel;
import dev.lamina.nn.functional.UpsampleOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Upsample}: errors name the layer and the shapes; the backward is the forward's adjoint; thread count does not change bits. */
class UpsampleTest {

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Rng(seed), shape);
    }

    /** The layer as child "1" of a model, so errors carry its path. */
    private static String failForward(Upsample up, Tensor x) {
        Sequential model = new Sequential(new ReLU(), up);
        return assertThrows(ShapeException.class, () -> model.forward(x)).getMessage();
    }

    @Test
    void wrongRankNamesLayerAndShapes() {
        String m = failForward(Upsample.scale(2), randn(1, 3, 4));
        assertTrue(m.contains("1 (Upsample)") && m.contains("[N, C, L] or [N, C, H, W]") && m.contains("[3, 4]"), m);
        m = failForward(Upsample.scale(2, "linear", false), randn(1, 1, 2, 3, 4));
        assertTrue(m.contains("1 (Upsample)") && m.contains("[N, C, L]") && m.contains("'linear'") && m.contains("[1, 2, 3, 4]"), m);
        m = failForward(Upsample.scale(2, "bilinear", null), randn(1, 2, 3, 4));
        assertTrue(m.contains("1 (Upsample)") && m.contains("[N, C, H, W]") && m.contains("'bilinear'") && m.contains("[2, 3, 4]"), m);
        m = failForward(Upsample.scale(2), randn(1, 1, 1, 2, 2, 2));
        assertTrue(m.contains("[1, 1, 2, 2, 2]") && m.contains("rank 5"), m);
    }

    @Test
    void sizeOrScaleCountMustFitTheResizedDimensions() {
        String m = failForward(new Upsample(new int[] {4, 5, 6}, null, "nearest", null), randn(1, 1, 2, 3, 3));
        assertTrue(m.contains("1 (Upsample)") && m.contains("size [4, 5, 6]") && m.contains("3 values") && m.contains("[1, 2, 3, 3]"), m);
        m = failForward(new Upsample(null, new double[] {2, 2}, "linear", null), randn(1, 1, 2, 3));
        assertTrue(m.contains("scale_factor [2.0, 2.0]") && m.contains("[1, 2, 3]"), m);
    }

    @Test
    void scaleGivingAnEmptyOutputFails() {
        String m = failForward(Upsample.scale(0.1), randn(1, 1, 2, 5));
        assertTrue(m.contains("1 (Upsample)") && m.contains("output size 0") && m.contains("[1, 2, 5]"), m);
    }

    @Test
    void bothOrNeitherSizeAndScaleFail() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Upsample(new int[] {4}, new double[] {2}, "nearest", null));
        assertTrue(e.getMessage().startsWith("Upsample: ") && e.getMessage().contains("got both"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Upsample(null, null, "bilinear", null));
        assertTrue(e.getMessage().startsWith("Upsample: ") && e.getMessage().contains("neither"), e.getMessage());
    }

    @Test
    void nonPositiveSizeOrScaleFails() {
        for (int[] size : new int[][] {{0}, {-2}, {3, 0}, {}}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Upsample.size(size));
            assertTrue(e.getMessage().startsWith("Upsample: ") && e.getMessage().contains("size"), e.getMessage());
        }
        for (double s : new double[] {0, -1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Upsample.scale(s));
            assertTrue(e.getMessage().startsWith("Upsample: ") && e.getMessage().contains("scale_factor must be positive"), e.getMessage());
        }
    }

    @Test
    void unknownModeFails() {
        for (String mode : new String[] {"bicubic", "trilinear", "area", "", null}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Upsample.scale(2, mode, null));
            assertTrue(e.getMessage().startsWith("Upsample: unknown mode '" + mode + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> UpsampleOp.Mode.of("interpolate", "nearest-exact"));
        assertEquals(UpsampleOp.Mode.BILINEAR, UpsampleOp.Mode.of("x", "Bilinear"));
    }

    @Test
    void alignCornersWithNearestFails() {
        for (Boolean ac : new Boolean[] {true, false}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Upsample.scale(2, "nearest", ac));
            assertTrue(e.getMessage().startsWith("Upsample: align_corners") && e.getMessage().contains("not nearest"), e.getMessage());
        }
    }

    @Test
    void shapesParametersAndRepr() {
        Upsample up = Upsample.size(new int[] {5, 7}, "bilinear", true);
        assertArrayEquals(new int[] {2, 3, 5, 7}, up.forward(randn(2, 2, 3, 4, 4)).shape());
        assertArrayEquals(new int[] {2, 3, 10}, Upsample.scale(2.5).forward(randn(3, 2, 3, 4)).shape());
        assertArrayEquals(new int[] {1, 2, 6, 2}, new Upsample(null, new double[] {2, 0.5}, "nearest", null).forward(randn(4, 1, 2, 3, 4)).shape());
        assertTrue(up.parameters().isEmpty() && up.stateDict().isEmpty());
        assertEquals("size=[5, 7], mode=bilinear, align_corners=true", up.extraRepr());
        assertEquals("scale_factor=2.0, mode=nearest", Upsample.scale(2).extraRepr());
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("nearest odd scales 2.1, 1.1", (Supplier<Upsample>) () -> new Upsample(null, new double[] {2.1, 1.1}, "nearest", null), new int[] {2, 3, 5, 5}),
                Arguments.of("nearest size down", (Supplier<Upsample>) () -> Upsample.size(3, 4), new int[] {2, 2, 7, 9}),
                Arguments.of("nearest 1-d 2.7", (Supplier<Upsample>) () -> Upsample.scale(2.7), new int[] {2, 3, 4}),
                Arguments.of("linear 1-d ac", (Supplier<Upsample>) () -> Upsample.scale(1.5, "linear", true), new int[] {2, 3, 6}),
                Arguments.of("bilinear 2", (Supplier<Upsample>) () -> Upsample.scale(2, "bilinear", false), new int[] {2, 3, 4, 5}),
                Arguments.of("bilinear size down ac", (Supplier<Upsample>) () -> Upsample.size(new int[] {3, 4}, "bilinear", true), new int[] {1, 2, 7, 9}),
                Arguments.of("bilinear copy 1.1, 1.3", (Supplier<Upsample>) () -> new Upsample(null, new double[] {1.1, 1.3}, "bilinear", false), new int[] {1, 2, 5, 6}));
    }

    /** The op is linear in x, so ⟨up(x), g⟩ = ⟨x, backward(g)⟩ must hold up to rounding. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void backwardIsTheForwardsAdjoint(String name, Supplier<Upsample> factory, int[] shape) {
        Tensor x = randn(5, shape).requiresGrad(true);
        Tensor y = factory.get().forward(x);
        Tensor g = randn(6, y.shape());
        y.backward(g);
        double lhs = dot(y.toArray(), g.toArray()), rhs = dot(x.toArray(), x.grad().toArray());
        assertEquals(lhs, rhs, 1e-5 * Math.max(1, Math.abs(lhs)), name);
    }

    @Test
    void bilinearGradientMatchesFiniteDifferences() {
        GradCheck.Result r = GradCheck.check(t -> Upsample.size(new int[] {5, 7}, "bilinear", false).forward(t[0]), 1e-2, randn(7, 1, 2, 3, 4));
        assertTrue(r.passed(1e-3), r.toString());
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Planes are split across threads but each is computed by one: 1 and 2 threads give the same bits. */
    @Test
    void threadCountDoesNotChangeBits() {
        int before = Parallel.threads();
        try {
            float[][][] runs = new float[2][][];
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                Tensor x = randn(9, 4, 16, 24, 24).requiresGrad(true);
                Tensor y = Upsample.scale(2, "bilinear", false).forward(x);
                y.backward(randn(10, y.shape()));
                Tensor xn = x.detach().requiresGrad(true);
                Tensor yn = Upsample.scale(1.5).forward(xn);
                yn.backward(randn(11, yn.shape()));
                runs[t - 1] = new float[][] {y.toArray(), x.grad().toArray(), yn.toArray(), xn.grad().toArray()};
            }
            for (int k = 0; k < 4; k++) assertArrayEquals(runs[0][k], runs[1][k], "array " + k);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void resampleChecksItsTables() {
        var axis = UpsampleOp.Axis.nearest(4, new int[] {0, 1, 2, 3, 3});
        var e = assertThrows(ShapeException.class, () -> UpsampleOp.resample("r", randn(1, 1, 1, 5), axis));
        assertTrue(e.getMessage().contains("input size 4") && e.getMessage().contains("[1, 1, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UpsampleOp.Axis.nearest(4, new int[] {0, 4}));
        assertThrows(IllegalArgumentException.class, () -> UpsampleOp.resample("r", randn(1, 2, 2, 4, 4), axis,
                UpsampleOp.Axis.linear(4, new int[] {0}, new int[] {1}, new float[] {0.5f})));
    }
}
