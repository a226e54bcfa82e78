package dev.lamina.tensor;

import dev.lamina.backend.Backend;
import dev.lamina.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Tensor.clamp's forward and gradient on both backends against the definition element by element: lengths with
 * vector tails and one above the parallel grain, values on the bounds, NaN, ±0 and infinities, a strided input.
 * Forward: Math.min(Math.max(x, lo), hi) bit for bit; gradient: g where lo ≤ x ≤ hi, else 0 (torch.clamp's rule).
 */
class ClampTest {
    private static final float[][] BOUNDS = {{0f, 6f}, {-1f, 1f}, {0f, 1f}, {-0f, 0f}, {Float.NEGATIVE_INFINITY, 2.5f}};

    private static float[] values(int n, Rng rng) {
        float[] v = new float[n];
        float[] special = {0f, -0f, 6f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 2.5f, 6.0000005f};
        for (int i = 0; i < n; i++) v[i] = i % 7 == 3 ? special[(i / 7) % special.length] : (float) (rng.nextGaussian() * 4);
        return v;
    }

    @Test
    void forwardAndGradientMatchTheDefinitionOnBothBackends() {
        for (Backend backend : new Backend[] {Backends.byName("cpu"), Backends.byName("reference")}) {
            for (int n : new int[] {1, 15, 16, 17, 63, 100, 70_001}) {
                for (float[] b : BOUNDS) {
                    Rng rng = new Rng(n);
                    float[] xv = values(n, rng), gv = values(n, rng);
                    Tensor[] grad = new Tensor[1];
                    Tensor y = Backends.using(backend, () -> {
                        Tensor x = Tensor.of(xv, n).requiresGrad(true);
                        Tensor out = x.clamp(b[0], b[1]);
                        out.backward(Tensor.of(gv, n));
                        grad[0] = x.grad();
                        return out;
                    });
                    float[] yo = y.toArray(), go = grad[0].toArray();
                    String what = backend.getClass().getSimpleName() + " n=" + n + " [" + b[0] + ", " + b[1] + "]";
                    for (int i = 0; i < n; i++) {
                        float want = Math.min(Math.max(xv[i], b[0]), b[1]);
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(yo[i]), what + " y[" + i + "] of x " + xv[i]);
                        float wantG = xv[i] >= b[0] && xv[i] <= b[1] ? gv[i] : 0f;
                        assertEquals(Float.floatToRawIntBits(wantG), Float.floatToRawIntBits(go[i]), what + " grad[" + i + "] of x " + xv[i]);
                    }
                }
            }
        }
    }

    @Test
    void stridedInputIsClampedAsItsValues() {
        Tensor x = Tensor.randn(new Rng(3), 6, 9).mul(5f);
        Tensor t = x.transpose(0, 1);
        float[] got = t.clamp(-2f, 3f).toArray(), values = t.contiguous().toArray();
        for (int i = 0; i < values.length; i++) assertEquals(Math.min(Math.max(values[i], -2f), 3f), got[i], "element " + i);
    }
}
