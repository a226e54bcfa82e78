package dev.lamina.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring on loopback sockets, one thread per rank. */
class RingAllReduceTest {

    /** Runs {@code world} ranks, each summing its own array of {@code n} values; returns every rank's result. */
    static float[][] ringSum(int world, int n, long seed) throws Exception {
        return ringSum(world, n, seed, false, new long[world]);
    }

    static float[][] ringSum(int world, int n, long seed, boolean bf16, long[] bytes) throws Exception {
        List<RingAllReduce.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            listeners.add(RingAllReduce.listen("127.0.0.1"));
            addresses.add(listeners.get(r).address());
        }
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                results.add(pool.submit(() -> {
                    float[] x = input(rank, n, seed);
                    try (RingAllReduce ring = RingAllReduce.connect(listeners.get(rank), rank, addresses, () -> false, 10_000).bfloat16(bf16)) {
                        ring.sum(x);
                        ring.sum(x);
                        bytes[rank] = ring.bytesSent();
                    }
                    return x;
                }));
            }
            float[][] out = new float[world][];
            for (int r = 0; r < world; r++) out[r] = results.get(r).get();
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static float[] input(int rank, int n, long seed) {
        dev.lamina.tensor.Rng rng = new dev.lamina.tensor.Rng(seed * 31 + rank);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    @Test
    void everyRankGetsTheSameSumOfAllRanksTwiceApplied() throws Exception {
        int world = 3, n = 100_003;
        float[][] out = ringSum(world, n, 7);
        for (int r = 1; r < world; r++) assertArrayEquals(out[0], out[r], "rank " + r + " differs from rank 0 (bitwise)");
        double worst = 0;
        float[][] inputs = new float[world][];
        for (int r = 0; r < world; r++) inputs[r] = input(r, n, 7);
        for (int i = 0; i < n; i++) {
            double expected = 0;
            for (int r = 0; r < world; r++) expected += inputs[r][i];
            worst = Math.max(worst, Math.abs(out[0][i] - world * expected));
        }
        assertTrue(worst < 1e-4, "sum of sums off by " + worst);
    }

    @Test
    void bfloat16OnTheWireHalvesTheBytesAndKeepsEveryRankIdentical() throws Exception {
        int world = 3, n = 30_001;
        long[] full = new long[world], half = new long[world];
        float[][] exact = ringSum(world, n, 9, false, full), rounded = ringSum(world, n, 9, true, half);
        for (int r = 1; r < world; r++) assertArrayEquals(rounded[0], rounded[r], "rank " + r + " differs from rank 0 (bitwise)");
        float[][] inputs = new float[world][];
        for (int r = 0; r < world; r++) inputs[r] = input(r, n, 9);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double scale = 0;
            for (int r = 0; r < world; r++) scale += world * Math.abs(inputs[r][i]);
            worst = Math.max(worst, Math.abs(rounded[0][i] - exact[0][i]) / scale);
        }
        // relative to the magnitudes summed: a few bfloat16 roundings (2^-9 each) per value
        assertTrue(worst < 0.02, "bfloat16 sums off by " + worst + " of the summed magnitudes");
        assertTrue(worst > 0, "bfloat16 rounding left every sum exact: the option did nothing");
        assertTrue(half[0] * 2 <= full[0] + 64, "bytes sent with bfloat16 " + half[0] + ", with float32 " + full[0]);
        assertEquals((short) 0x3F80, RingAllReduce.toBf16(1f));
        assertEquals(1f, RingAllReduce.fromBf16(RingAllReduce.toBf16(1.001f)));
    }

    @Test
    void theSameInputsGiveBitIdenticalSumsRunAfterRun() throws Exception {
        float[][] a = ringSum(4, 5000, 3), b = ringSum(4, 5000, 3);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[3], b[3]);
    }

    @Test
    void shorterThanTheWorldAndSingleRankWork() throws Exception {
        float[][] out = ringSum(3, 2, 1);
        assertEquals(out[0][1], out[2][1]);
        float[][] one = ringSum(1, 10, 1);
        assertArrayEquals(one[0], input(0, 10, 1));
    }

    @Test
    void arraysOfDifferentLengthsAreAnErrorNamingBoth() throws Exception {
        RingAllReduce.Listener a = RingAllReduce.listen("127.0.0.1"), b = RingAllReduce.listen("127.0.0.1");
        List<String> addresses = List.of(a.address(), b.address());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> f0 = pool.submit(() -> {
                try (RingAllReduce ring = RingAllReduce.connect(a, 0, addresses, () -> false, 5_000)) {
                    ring.sum(new float[10]);
                }
                return null;
            });
            Future<?> f1 = pool.submit(() -> {
                try (RingAllReduce ring = RingAllReduce.connect(b, 1, addresses, () -> false, 5_000)) {
                    ring.sum(new float[12]);
                }
                return null;
            });
            // the rank that notices first names both lengths; the other may only see its peer hang up
            String m0 = assertThrows(Exception.class, f0::get).getMessage(), m1 = assertThrows(Exception.class, f1::get).getMessage();
            String named = m0.contains("expected") ? m0 : m1;
            assertTrue(named.matches("(?s).*sent a chunk of \\d+ floats, expected \\d+ \\(the ranks' arrays differ in length\\).*"), m0 + " / " + m1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPeerThatNeverComesFailsWithinTheTimeout() throws Exception {
        RingAllReduce.Listener a = RingAllReduce.listen("127.0.0.1"), b = RingAllReduce.listen("127.0.0.1");
        List<String> addresses = List.of(a.address(), b.address());
        var e = assertThrows(java.io.IOException.class, () -> RingAllReduce.connect(a, 0, addresses, () -> false, 1_500));
        assertTrue(e.getMessage().contains("rank 1 did not connect"), e.getMessage());
        b.close();
    }
}
