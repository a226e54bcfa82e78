package dev.lamina.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.junit.jupiter.api.Test;

class VectorMathTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private interface F {
        FloatVector apply(FloatVector v);
    }

    private interface D {
        double apply(double v);
    }

    /** Largest error in ulps of the float result over the given inputs, against the double-precision function. */
    private static double maxUlps(F f, D ref, float[] xs) {
        double worst = 0;
        float[] out = new float[S.length()];
        for (int i = 0; i + S.length() <= xs.length; i += S.length()) {
            f.apply(FloatVector.fromArray(S, xs, i)).intoArray(out, 0);
            for (int l = 0; l < S.length(); l++) {
                double want = ref.apply(xs[i + l]);
                float w = (float) want;
                if (w == 0 || Float.isInfinite(w)) continue;
                worst = Math.max(worst, Math.abs(out[l] - want) / Math.ulp(w));
            }
        }
        return worst;
    }

    private static float[] uniform(long seed, int n, float lo, float hi) {
        Rng rng = new Rng(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * (float) rng.nextDouble();
        return x;
    }

    @Test
    void expIsWithinTwoUlpsOverTheWholeRange() {
        double e = maxUlps(VectorMath::exp, Math::exp, uniform(1, 1 << 16, -87f, 88.7f));
        assertTrue(e <= 2, "exp max error " + e + " ulp");
        e = maxUlps(VectorMath::exp, Math::exp, uniform(2, 1 << 14, -1f, 1f));
        assertTrue(e <= 2, "exp max error near 0: " + e + " ulp");
    }

    @Test
    void expEdgeCases() {
        float[] x = new float[S.length()];
        float[] want = new float[S.length()];
        float[] in = {Float.NEGATIVE_INFINITY, -100f, 0f, 89f, Float.POSITIVE_INFINITY, Float.NaN, -87.3f, 88.7f};
        for (int i = 0; i < x.length; i++) {
            x[i] = in[i % in.length];
            want[i] = x[i] < -87.34f ? 0f : (float) Math.exp(x[i]); // subnormal results are flushed to 0, as documented
        }
        float[] got = new float[x.length];
        VectorMath.exp(FloatVector.fromArray(S, x, 0)).intoArray(got, 0);
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(want[i])) assertTrue(Float.isNaN(got[i]));
            else if (want[i] == 0 || Float.isInfinite(want[i])) assertEquals(want[i], got[i], "exp(" + x[i] + ")");
            else assertEquals(want[i], got[i], 2 * Math.ulp(want[i]), "exp(" + x[i] + ")");
        }
    }

    @Test
    void tanhAndSigmoidAreAccurate() {
        double t = maxUlps(VectorMath::tanh, Math::tanh, uniform(3, 1 << 16, -10f, 10f));
        assertTrue(t <= 4, "tanh max error " + t + " ulp");
        t = maxUlps(VectorMath::tanh, Math::tanh, uniform(4, 1 << 14, -0.5f, 0.5f));
        assertTrue(t <= 4, "tanh max error near 0: " + t + " ulp");
        double s = maxUlps(VectorMath::sigmoid, v -> 1 / (1 + Math.exp(-v)), uniform(5, 1 << 16, -20f, 20f));
        assertTrue(s <= 4, "sigmoid max error " + s + " ulp");
        float[] z = new float[S.length()];
        z[0] = -0f;
        float[] out = new float[S.length()];
        VectorMath.tanh(FloatVector.fromArray(S, z, 0)).intoArray(out, 0);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[0]), "tanh(-0) = -0");
        z[1] = Float.NaN;
        VectorMath.tanh(FloatVector.fromArray(S, z, 0)).intoArray(out, 0);
        assertTrue(Float.isNaN(out[1]), "tanh(NaN)");
        VectorMath.sigmoid(FloatVector.fromArray(S, z, 0)).intoArray(out, 0);
        assertTrue(Float.isNaN(out[1]), "sigmoid(NaN)");
    }

    @Test
    void sumLanesAddsInLaneOrder() {
        float[] x = new float[S.length()];
        x[0] = 1e8f;
        for (int i = 1; i < x.length; i++) x[i] = 1f;
        float want = 0;
        for (float v : x) want += v;
        assertEquals(want, VectorMath.sumLanes(FloatVector.fromArray(S, x, 0)));
    }

    /** activate: the vector functions' bits over whole vectors in place or into another array, the tail left alone. */
    @Test
    void activateAppliesSigmoidOrTanhOverWholeVectors() {
        int n = 5 * S.length() + 3;
        float[] x = uniform(6, n, -12f, 12f);
        for (boolean tanh : new boolean[] {false, true}) {
            float[] dst = new float[n + 4];
            java.util.Arrays.fill(dst, 7f);
            int done = VectorMath.activate(S, tanh, x, 0, dst, 2, n);
            assertEquals(5 * S.length(), done);
            float[] one = new float[S.length()];
            for (int i = 0; i < done; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, i);
                (tanh ? VectorMath.tanh(v) : VectorMath.sigmoid(v)).intoArray(one, 0);
                for (int l = 0; l < S.length(); l++) {
                    assertEquals(Float.floatToRawIntBits(one[l]), Float.floatToRawIntBits(dst[2 + i + l]), "lane " + (i + l));
                    double want = tanh ? Math.tanh(x[i + l]) : 1 / (1 + Math.exp(-x[i + l]));
                    assertEquals(want, dst[2 + i + l], 4 * Math.ulp((float) want));
                }
            }
            for (int i = 0; i < 2; i++) assertEquals(7f, dst[i]);
            for (int i = 2 + done; i < dst.length; i++) assertEquals(7f, dst[i], "tail untouched at " + i);
            float[] inPlace = x.clone();
            VectorMath.activate(S, tanh, inPlace, 1, inPlace, 1, n - 1);
            assertEquals(x[0], inPlace[0]);
        }
    }
}
