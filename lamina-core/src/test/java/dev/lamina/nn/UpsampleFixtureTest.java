package dev.lamina.nn;

import static dev.lamina.Fixtures.op;

import dev.lamina.Fixtures;
import dev.lamina.nn.functional.UpsampleOp;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Upsample} against PyTorch's {@code nn.Upsample} (tools/fixtures/make_upsample_fixtures.py, cases upsample_*):
 * output and input gradient for nearest, linear and bilinear, both align_corners values, integer and non-integer
 * scale factors (used as given), sizes, downsampling, and scales that give out = in or out = 2·in (forward only: see {@link UpsampleOp}).
 */
class UpsampleFixtureTest {

    private static Arguments scale(String fixture, String mode, Boolean ac, double... s) {
        return op(fixture, c -> new Upsample(null, s, mode, ac).forward(c.in(0)));
    }

    private static Arguments size(String fixture, String mode, Boolean ac, int... size) {
        return op(fixture, c -> new Upsample(size, null, mode, ac).forward(c.in(0)));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                scale("upsample_nearest1d_s2", "nearest", null, 2),
                scale("upsample_nearest1d_s1p5", "nearest", null, 1.5),
                scale("upsample_nearest1d_s2p7", "nearest", null, 2.7),
                size("upsample_nearest1d_size_down", "nearest", null, 4),
                scale("upsample_nearest1d_s0p6_down", "nearest", null, 0.6),
                scale("upsample_nearest2d_s2", "nearest", null, 2),
                scale("upsample_nearest2d_s_pair", "nearest", null, 1.7, 2.5),
                size("upsample_nearest2d_size", "nearest", null, 5, 7),
                size("upsample_nearest2d_size_down", "nearest", null, 3, 4),
                scale("upsample_nearest2d_odd_scales", "nearest", null, 2.1, 1.1),
                scale("upsample_linear1d_s2_ac0", "linear", false, 2),
                scale("upsample_linear1d_s1p5_ac0", "linear", false, 1.5),
                size("upsample_linear1d_size_down_ac0", "linear", false, 4),
                scale("upsample_linear1d_s0p6_ac0", "linear", false, 0.6),
                scale("upsample_linear1d_s2_ac1", "linear", true, 2),
                scale("upsample_linear1d_s1p5_ac1", "linear", true, 1.5),
                size("upsample_linear1d_size_down_ac1", "linear", true, 4),
                scale("upsample_linear1d_s0p6_ac1", "linear", true, 0.6),
                scale("upsample_linear1d_default_ac", "linear", null, 3),
                scale("upsample_bilinear_s2_ac0", "bilinear", false, 2),
                scale("upsample_bilinear_s_pair_ac0", "bilinear", false, 1.5, 2.5),
                size("upsample_bilinear_size_ac0", "bilinear", false, 5, 7),
                size("upsample_bilinear_size_down_ac0", "bilinear", false, 3, 4),
                size("upsample_bilinear_size1_ac0", "bilinear", false, 1, 3),
                scale("upsample_bilinear_s2_ac1", "bilinear", true, 2),
                scale("upsample_bilinear_s_pair_ac1", "bilinear", true, 1.5, 2.5),
                size("upsample_bilinear_size_ac1", "bilinear", true, 5, 7),
                size("upsample_bilinear_size_down_ac1", "bilinear", true, 3, 4),
                size("upsample_bilinear_size1_ac1", "bilinear", true, 1, 3),
                scale("upsample_bilinear_s_down", "bilinear", false, 0.5, 0.75),
                scale("upsample_bilinear_copy_shortcut", "bilinear", false, 1.1, 1.3));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }

    static Stream<Arguments> functional() {
        return Stream.of(
                op("upsample_nearest2d_odd_scales", c -> UpsampleOp.interpolate("interpolate", c.in(0), null, new double[] {2.1, 1.1}, UpsampleOp.Mode.NEAREST, null)),
                op("upsample_bilinear_size_ac1", c -> UpsampleOp.interpolate("interpolate", c.in(0), new int[] {5, 7}, null, UpsampleOp.Mode.BILINEAR, true)));
    }

    /** The functional form gives the layer's results. */
    @ParameterizedTest
    @MethodSource("functional")
    void functionalMatchesPyTorch(String fixture, Fixtures.Op op) {
        Fixtures.checkOp(fixture, op);
    }
}
