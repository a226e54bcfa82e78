package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/** Dropout's branch-free mask is the compare u ≥ p on the same random stream: element kept (scaled) or zeroed. */
class DropoutMaskTest {
    @Test
    void sameMaskAsTheCompare() {
        for (double p : new double[] {0.25, 0.5, 0.9, 0.01}) {
            Dropout d = new Dropout(p, new Rng(11));
            d.train();
            Tensor ones = Tensor.ones(1000);
            float[] got = d.forward(ones).toArray();
            Rng same = new Rng(11);
            float keep = 1f / (1f - (float) p);
            float[] expected = new float[1000];
            for (int i = 0; i < expected.length; i++) expected[i] = same.nextDouble() >= (float) p ? keep : 0f;
            assertArrayEquals(expected, got, "p = " + p);
        }
    }
}
