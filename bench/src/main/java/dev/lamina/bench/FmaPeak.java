package dev.lamina.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Locale;

/**
 * The machine's float32 FMA peak through the Vector API: each thread runs twelve independent fma chains on registers
 * (enough to cover the fma latency on two pipes), nothing from memory. Prints GFLOP/s (2 per lane per fma) on 1 and
 * on all cores, the figure the benchmarks' shares of peak are quoted against.
 * Usage: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.FmaPeak}
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public static void main(String[] args) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < 3; i++) run(1, 20_000_000); // warm-up: C2 compiles the loop
        System.out.printf(Locale.ROOT, "vector %d bits; FMA peak: 1 thread %.0f GFLOP/s, %d threads %.0f GFLOP/s%n",
                S.vectorBitSize(), best(1), cores, best(cores));
    }

    private static double best(int threads) throws Exception {
        double best = 0;
        for (int i = 0; i < 5; i++) best = Math.max(best, run(threads, 100_000_000));
        return best;
    }

    /** GFLOP/s of {@code threads} threads each running {@code iters} rounds of twelve fmas. */
    private static double run(int threads, long iters) throws Exception {
        Thread[] t = new Thread[threads];
        float[] sink = new float[threads];
        long start = System.nanoTime();
        for (int k = 0; k < threads; k++) {
            int id = k;
            t[k] = new Thread(() -> sink[id] = chains(iters));
            t[k].start();
        }
        for (Thread x : t) x.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        return 2.0 * S.length() * 12 * iters * threads / seconds / 1e9;
    }

    private static float chains(long iters) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), c = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iters; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
            a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
            a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    private FmaPeak() {}
}
