package dev.lamina.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Rng is SplitMix64 written out: it must yield exactly what java.util.SplittableRandom yields, and save/restore its state. */
class RngTest {
    private static final long[] SEEDS = {0, 1, 42, -1, 0x5EED, Long.MIN_VALUE, 0x9e3779b97f4a7c15L, 123456789012345L};

    @Test
    void matchesSplittableRandomCallForCall() {
        int[] bounds = {1, 2, 3, 7, 10, 64, 100, 1000, 60000, (1 << 30) + 1, Integer.MAX_VALUE, 1 << 30};
        for (long seed : SEEDS) {
            Rng rng = new Rng(seed);
            SplittableRandom ref = new SplittableRandom(seed);
            SplittableRandom which = new SplittableRandom(seed ^ 0xABCDEF);
            for (int i = 0; i < 20_000; i++) {
                switch (which.nextInt(4)) {
                    case 0 -> assertEquals(ref.nextLong(), rng.nextLong(), "nextLong, seed " + seed + ", call " + i);
                    case 1 -> assertEquals(Double.doubleToRawLongBits(ref.nextDouble()), Double.doubleToRawLongBits(rng.nextDouble()), "nextDouble, seed " + seed);
                    case 2 -> assertEquals(ref.nextInt(), rng.nextInt(), "nextInt, seed " + seed);
                    default -> {
                        int b = bounds[which.nextInt(bounds.length)];
                        assertEquals(ref.nextInt(b), rng.nextInt(b), "nextInt(" + b + "), seed " + seed + ", call " + i);
                    }
                }
            }
        }
    }

    @Test
    void rejectionSamplingPathIsExercisedAndMatches() {
        // bound 2^30 + 1: about half of the 31-bit candidates are rejected, so the retry loop runs often
        Rng rng = new Rng(7);
        SplittableRandom ref = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) assertEquals(ref.nextInt((1 << 30) + 1), rng.nextInt((1 << 30) + 1));
        assertEquals(ref.nextLong(), rng.nextLong(), "same number of draws consumed");
    }

    @Test
    void splitAndPermutationMatchTheSplittableRandomBasedImplementation() {
        for (long seed : SEEDS) {
            Rng rng = new Rng(seed);
            SplittableRandom ref = new SplittableRandom(seed);
            Rng child = rng.split();
            SplittableRandom refChild = new SplittableRandom(ref.nextLong());
            for (int i = 0; i < 1000; i++) assertEquals(refChild.nextLong(), child.nextLong());
            assertEquals(ref.nextLong(), rng.nextLong(), "the parent advanced by one draw");
            int[] p = rng.permutation(1000);
            int[] q = new int[1000];
            for (int i = 0; i < q.length; i++) q[i] = i;
            for (int i = q.length - 1; i > 0; i--) {
                int j = ref.nextInt(i + 1);
                int t = q[i];
                q[i] = q[j];
                q[j] = t;
            }
            assertArrayEquals(q, p);
        }
    }

    @Test
    void gaussiansAreUnchangedByTheRewrite() {
        // the polar method over SplittableRandom's doubles, as Rng computed it before
        Rng rng = new Rng(42);
        SplittableRandom ref = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            double u, v, s;
            do {
                u = 2 * ref.nextDouble() - 1;
                v = 2 * ref.nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double m = Math.sqrt(-2 * Math.log(s) / s);
            assertEquals(u * m, rng.nextGaussian());
            assertEquals(v * m, rng.nextGaussian());
        }
    }

    @Test
    void stateRestoresTheExactContinuationIncludingTheSpareGaussian() {
        Rng a = new Rng(99);
        a.nextLong();
        a.nextGaussian(); // leaves a spare normal cached
        Rng.State s = a.state();
        assertFalse(Double.isNaN(s.spareGaussian()), "a spare Gaussian is cached");
        double[] expected = new double[200];
        for (int i = 0; i < expected.length; i++) expected[i] = i % 3 == 0 ? a.nextGaussian() : i % 3 == 1 ? a.nextDouble() : a.nextInt(17);

        Rng b = new Rng(5); // another seed: the state carries everything
        b.nextGaussian();
        b.setState(s);
        assertEquals(99, b.seed());
        for (int i = 0; i < expected.length; i++) {
            double got = i % 3 == 0 ? b.nextGaussian() : i % 3 == 1 ? b.nextDouble() : b.nextInt(17);
            assertEquals(expected[i], got, "draw " + i);
        }
        assertEquals(a.state(), b.state());
        assertThrows(IllegalArgumentException.class, () -> b.nextInt(0));
    }
}
