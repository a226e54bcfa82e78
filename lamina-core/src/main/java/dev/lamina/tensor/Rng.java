package dev.lamina.tensor;

import java.util.Objects;

/**
 * A seeded random generator for initialisation, dropout and shuffling. Same seed, same numbers, on every
 * machine and thread count. Not thread-safe: use one per thread or {@link #split()}.
 *
 * <p>The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014) with the golden-ratio increment: it yields exactly the numbers {@code new
 * java.util.SplittableRandom(seed)} yields for {@code nextLong}, {@code nextInt}, {@code nextInt(bound)} and
 * {@code nextDouble}, but it is written out here so that its whole state (one counter, plus the spare Gaussian of
 * the polar method) can be saved with {@link #state()} and put back with {@link #setState(State)}: a checkpoint
 * restores every generator of a training run and the run continues with the very numbers it would have drawn.
 */
public final class Rng {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static volatile Rng global = new Rng(0x5EED);

    private long seed;
    /** The SplitMix64 counter: advanced by {@link #GOLDEN_GAMMA} before each 64-bit output. */
    private long counter;
    private double spareGaussian = Double.NaN;

    public Rng(long seed) {
        this.seed = seed;
        this.counter = seed;
    }

    /**
     * Everything a generator's future output depends on: the SplitMix64 counter and the cached second normal of
     * the polar method (NaN when none); plus the seed it was created with, for information.
     */
    public record State(long seed, long counter, double spareGaussian) {
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

    /** The current state; {@link #setState} with it makes this generator (or any other) repeat from here. */
    public State state() {
        return new State(seed, counter, spareGaussian);
    }

    /**
     * Continues from {@code state}, as captured by {@link #state()}: from now on this generator yields what the
     * captured one yielded after the capture. The seed reported by {@link #seed()} becomes the state's.
     */
    public void setState(State state) {
        Objects.requireNonNull(state, "state");
        seed = state.seed();
        counter = state.counter();
        spareGaussian = state.spareGaussian();
    }

    /** An independent generator derived from this one (seeded with this one's next {@code long}). */
    public Rng split() {
        return new Rng(nextLong());
    }

    /** Uniform in [0, 1): the top 53 bits of {@link #nextLong()}. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A dropout mask: {@code mask[from + i]} for i in [0, n) is {@code keepValue} with probability 1 − p and 0
     * otherwise. Each 64-bit draw decides two elements (its low then its high 32 bits: kept when the 32-bit value is
     * at least ⌈p·2³²⌉), half the generator calls of one draw per element; exact to 2⁻³² in p.
     */
    public void dropoutMask(float[] mask, int from, int n, double p, float keepValue) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("Rng.dropoutMask: p must be in [0, 1], got " + p);
        long threshold = (long) Math.ceil(p * 4294967296.0);
        int i = 0;
        if (dev.lamina.kernels.CpuFeatures.VECTOR && threshold < (1L << 32) && n >= 64) {
            int pairs = dev.lamina.kernels.VectorRandom.dropoutPairs(counter, GOLDEN_GAMMA, mask, from, n / 2, threshold, keepValue);
            counter += GOLDEN_GAMMA * pairs; // the draws it made, as nextLong() would have
            i = 2 * pairs;
        }
        for (; i + 1 < n; i += 2) {
            long r = nextLong();
            mask[from + i] = keepValue * (1 - (int) (((r & 0xFFFFFFFFL) - threshold) >>> 63));
            mask[from + i + 1] = keepValue * (1 - (int) (((r >>> 32) - threshold) >>> 63));
        }
        if (i < n) mask[from + i] = keepValue * (1 - (int) (((nextLong() & 0xFFFFFFFFL) - threshold) >>> 63));
    }

    /** Uniform in [0, bound), without modulo bias (rejects the over-represented top of the 31-bit range). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Rng: bound must be positive, got " + bound);
        int m = bound - 1;
        int r = nextInt();
        if ((bound & m) == 0) return r & m;
        int u = r >>> 1;
        while (u + m - (r = u % bound) < 0) u = nextInt() >>> 1;
        return r;
    }

    /** Uniform over all 2³² ints. */
    public int nextInt() {
        long z = counter += GOLDEN_GAMMA;
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }

    /** Uniform over all 2⁶⁴ longs. */
    public long nextLong() {
        long z = counter += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
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
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
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
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
