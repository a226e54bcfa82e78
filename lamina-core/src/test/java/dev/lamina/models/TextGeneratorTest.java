package dev.lamina.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

class TextGeneratorTest {
    /** A model whose next-token logits are fixed: log of {0.1, 0.2, 0.3, 0.4}. */
    private static final class FixedModel extends LanguageModel {
        static final float[] LOGITS = {(float) Math.log(0.1), (float) Math.log(0.2), (float) Math.log(0.3), (float) Math.log(0.4)};
        int fed;

        @Override
        public int vocabSize() {
            return 4;
        }

        @Override
        public int contextLength() {
            return 0;
        }

        @Override
        public Tensor logits(Tensor ids) {
            throw new UnsupportedOperationException("only the decoder is used here");
        }

        @Override
        public Decoder decoder() {
            return ids -> {
                fed += ids.length;
                return LOGITS.clone();
            };
        }
    }

    private static double[] frequencies(double temperature, int topK, int draws) {
        TextGenerator g = new TextGenerator(new FixedModel(), temperature, topK, new Rng(7));
        double[] f = new double[4];
        for (int id : g.generate(new int[] {0}, draws, null)) f[id] += 1.0 / draws;
        return f;
    }

    @Test
    void temperatureOneSamplesTheModelsDistribution() {
        double[] f = frequencies(1.0, 0, 40_000);
        double[] p = {0.1, 0.2, 0.3, 0.4};
        for (int i = 0; i < 4; i++) assertEquals(p[i], f[i], 0.01, "token " + i);
    }

    @Test
    void topKRenormalisesOverTheKMostLikely() {
        double[] f = frequencies(1.0, 2, 40_000);
        assertEquals(0, f[0]);
        assertEquals(0, f[1]);
        assertEquals(3.0 / 7, f[2], 0.01);
        assertEquals(4.0 / 7, f[3], 0.01);
    }

    @Test
    void lowTemperatureSharpensAndZeroIsGreedy() {
        double[] sharp = frequencies(0.5, 0, 40_000); // p^2 normalised: 0.4^2 / 0.3 = 0.533
        assertEquals(0.16 / 0.30, sharp[3], 0.01);
        double[] greedy = frequencies(0, 0, 1000);
        assertEquals(1.0, greedy[3], 1e-9);
        assertEquals(0, greedy[0] + greedy[1] + greedy[2]);
    }

    @Test
    void sameSeedSameTextAndEveryTokenIsFedBack() {
        FixedModel m = new FixedModel();
        int[] a = new TextGenerator(m, 1.0, 3, new Rng(3)).generate(new int[] {1, 2}, 50, null);
        assertEquals(2 + 49, m.fed);
        int[] b = new TextGenerator(new FixedModel(), 1.0, 3, new Rng(3)).generate(new int[] {1, 2}, 50, null);
        assertArrayEquals(a, b);
    }

    @Test
    void badArgumentsAreRejected() {
        FixedModel m = new FixedModel();
        assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, -1, 0, new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, 1, -2, new Rng(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TextGenerator(m, 1, 0, new Rng(1)).generate(new int[] {4}, 3, null));
        assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
    }
}
