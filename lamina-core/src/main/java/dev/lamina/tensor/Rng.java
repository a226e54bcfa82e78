package dev.lamina.tensor;

import java.util.SplittableRandom;

/**
 * A seeded random generator for initialisation, dropout and shuffling. Same seed, same numbers, on every
 * machine and thread count. Not thread-safe: use one per thread or {@link #split()}.
 */
public final class Rng {
    private static volatile Rng global = new Rng(0x5EED);

    private SplittableRandom random;
    private final long seed;
    private double spareGaussian = Double.NaN;

    public Rng(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** The library-wide default generator used when a layer is not given one. */
    public static Rng global() {
        return global;
    }

    /** Reseeds the library-wide default generator, like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        global = new Rng(seed);
    }

    public long seed() {
        return seed;
    }

    /** An independent generator derived from this one. */
    public Rng split() {
        return new Rng(random.nextLong());
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return random.nextDouble();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public long nextLong() {
        return random.nextLong();
    }

    /** Standard normal by the polar Box–Muller method. */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u, v, s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareGaussian = v * m;
        return u * m;
    }

    /** Fisher–Yates permutation of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
