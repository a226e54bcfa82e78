package dev.lamina.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The clamp epilogue of a GEMM tile (NONE, RELU, CLIP, with bias and residual) gives, bit for bit, the separate ops
 * {@code Math.min(Math.max(y + b + r, lo), hi)}, on values that tell the selects apart: ±0, NaN, ±∞ and the bounds
 * themselves, with bounds of either zero sign; whole vectors and the scalar tail of each row.
 */
class ActivationBlockTest {
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 6f, -1f, 1e-30f, -1e-30f};

    @ParameterizedTest(name = "{0} [{1}, {2}] bias {3} residual {4}")
    @CsvSource({
            "NONE, 0, 0, false, false", "NONE, 0, 0, true, true",
            "RELU, 0, 0, false, false", "RELU, 0, 0, true, false", "RELU, 0, 0, false, true",
            "CLIP, 0, 6, false, false", "CLIP, 0, 6, true, true",
            "CLIP, -0.0, -0.0, false, false", "CLIP, -0.0, 0, false, false", "CLIP, -1, -0.0, true, false",
    })
    void sameBitsAsTheSeparateOps(Activation act, float lo, float hi, boolean withBias, boolean withResidual) {
        Random r = new Random(7);
        int rows = 5, n = 45, ldc = 51; // 45 = two 16-lane vectors and a tail of 13, or five 8-lane vectors and 5
        float[] y = new float[rows * ldc], res = withResidual ? new float[rows * ldc] : null, bias = withBias ? new float[rows + 2] : null;
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(3) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextGaussian() * 4;
            if (res != null) res[i] = r.nextInt(4) == 0 ? SPECIAL[r.nextInt(SPECIAL.length)] * (r.nextBoolean() ? 1 : 0) : (float) r.nextGaussian();
        }
        if (bias != null) for (int i = 0; i < bias.length; i++) bias[i] = i % 2 == 0 ? -0f : (float) r.nextGaussian();
        float min = act == Activation.CLIP ? lo : act == Activation.RELU ? 0f : Float.NEGATIVE_INFINITY;
        float max = act == Activation.CLIP ? hi : Float.POSITIVE_INFINITY;
        float[] expected = y.clone();
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < n; i++) {
                int at = row * ldc + i;
                float v = bias == null ? y[at] : y[at] + bias[2 + row];
                if (res != null) v += res[at];
                expected[at] = Math.min(Math.max(v, min), max);
            }
        }
        act.applyBlock(bias, 2, lo, hi, y, 0, ldc, rows, res, 0, n);
        for (int i = 0; i < y.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(y[i]), "element " + i + ": " + expected[i] + " vs " + y[i]);
        }
    }
}
