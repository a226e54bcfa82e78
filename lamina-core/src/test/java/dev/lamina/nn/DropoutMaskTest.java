package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/** Dropout's mask: two elements per 64-bit draw, each kept (scaled) when its 32-bit half is at least p·2³². */
class DropoutMaskTest {
    @Test
    void sameMaskAsTheCompare() {
        for (double p : new double[] {0.25, 0.5, 0.9, 0.01}) {
            Dropout d = new Dropout(p, new Rng(11));
            d.train();
            Tensor ones = Tensor.ones(1000);
            // (an odd length uses the low half of one more draw for the last element: see oddLength below)
            float[] got = d.forward(ones).toArray();
            Rng same = new Rng(11);
            float keep = 1f / (1f - (float) p);
            float[] expected = new float[1000];
            for (int i = 0; i < expected.length; i += 2) {
                long r = same.nextLong();
                expected[i] = (r & 0xFFFFFFFFL) / 4294967296.0 >= (float) p ? keep : 0f;
                expected[i + 1] = (r >>> 32) / 4294967296.0 >= (float) p ? keep : 0f;
            }
            assertArrayEquals(expected, got, "p = " + p);
        }
    }

    @Test
    void oddLengthAndRateOfTheMask() {
        float[] mask = new float[100_001];
        new Rng(5).dropoutMask(mask, 0, mask.length, 0.3, 2f);
        Rng same = new Rng(5);
        for (int i = 0; i < 100_000; i += 2) same.nextLong();
        org.junit.jupiter.api.Assertions.assertEquals((same.nextLong() & 0xFFFFFFFFL) >= (long) Math.ceil(0.3 * 4294967296.0) ? 2f : 0f, mask[100_000]);
        int kept = 0;
        for (float m : mask) {
            org.junit.jupiter.api.Assertions.assertTrue(m == 0f || m == 2f);
            if (m != 0) kept++;
        }
        org.junit.jupiter.api.Assertions.assertEquals(0.7, kept / (double) mask.length, 0.005);
        float[] none = new float[10], all = new float[10];
        new Rng(1).dropoutMask(none, 0, 10, 1.0, 1f);
        new Rng(1).dropoutMask(all, 0, 10, 0.0, 1f);
        for (int i = 0; i < 10; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(0f, none[i]);
            org.junit.jupiter.api.Assertions.assertEquals(1f, all[i]);
        }
    }

    /** The vector path (long masks) equals the draw-by-draw definition, and leaves the generator where it would be. */
    @Test
    void vectorPathEqualsTheScalarDefinition() {
        for (int n : new int[] {64, 65, 1000, 1001, 4099}) {
            for (double p : new double[] {0.1, 0.5, 0.93}) {
                Rng a = new Rng(n * 31L + (long) (p * 100));
                Rng b = new Rng(n * 31L + (long) (p * 100));
                float[] got = new float[n + 3];
                a.dropoutMask(got, 3, n, p, 1.5f);
                long threshold = (long) Math.ceil(p * 4294967296.0);
                float[] want = new float[n + 3];
                for (int i = 0; i < n; i += 2) {
                    long r = b.nextLong();
                    want[3 + i] = (r & 0xFFFFFFFFL) >= threshold ? 1.5f : 0f;
                    if (i + 1 < n) want[3 + i + 1] = (r >>> 32) >= threshold ? 1.5f : 0f;
                }
                assertArrayEquals(want, got, "n = " + n + ", p = " + p);
                org.junit.jupiter.api.Assertions.assertEquals(b.nextLong(), a.nextLong(), "generator position after n = " + n);
            }
        }
    }
}
