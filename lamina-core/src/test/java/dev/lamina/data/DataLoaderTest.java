package dev.lamina.data;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.*;

class DataLoaderTest {
    private static Dataset data(int n) {
        Rng rng = new Rng(1);
        Tensor x = Tensor.randn(rng, n, 3);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = i;
        return new Dataset(x, Tensor.of(y, n));
    }

    private static List<float[]> epochs(DataLoader loader, int epochs) {
        List<float[]> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            for (Dataset b : loader) {
                out.add(b.features().toArray());
                out.add(b.targets().toArray());
            }
        }
        return out;
    }

    @Test
    void prefetchGivesTheSameBatchesInTheSameOrder() {
        for (boolean dropLast : new boolean[] {false, true}) {
            Transform t = Transform.normalize(0.5f, 2f);
            List<float[]> plain = epochs(new DataLoader(data(103), 10, true, dropLast, new Rng(7)).transform(t), 3);
            List<float[]> prefetched = epochs(new DataLoader(data(103), 10, true, dropLast, new Rng(7)).transform(t).prefetch(3), 3);
            assertEquals(plain.size(), prefetched.size());
            assertEquals(dropLast ? 2 * 3 * 10 : 2 * 3 * 11, plain.size());
            for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), prefetched.get(i), "array " + i);
            // the last batch is short unless dropped
            assertEquals(dropLast ? 10 : 3, plain.get(plain.size() - 1).length);
        }
    }

    @Test
    void prefetchPreparesBatchesOnTheBackgroundThread() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        DataLoader loader = new DataLoader(data(50), 10, false, false, null).prefetch(2).transform(x -> {
            threads.add(Thread.currentThread().getName());
            return x;
        });
        int batches = 0;
        for (Dataset ignored : loader) batches++;
        assertEquals(5, batches);
        assertEquals(Set.of("lamina-prefetch"), threads);
    }

    @Test
    void abandonedIterationsLeaveNoThreadBehind() throws InterruptedException {
        DataLoader loader = new DataLoader(data(1000), 10, true, false, new Rng(3)).prefetch(4);
        for (int i = 0; i < 30; i++) {
            for (Dataset ignored : loader) {
                break; // abandon after one batch, the rest never requested
            }
            assertTrue(prefetchThreads() <= 1, "at most one prefetch thread, got " + prefetchThreads());
        }
        try (DataLoader.BatchIterator it = loader.iterator()) {
            it.next();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (prefetchThreads() > 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(0, prefetchThreads(), "the prefetch thread exits when idle");
    }

    private static long prefetchThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("lamina-prefetch") && t.isAlive()).count();
    }

    @Test
    void anErrorInTheBackgroundReachesTheCaller() {
        DataLoader loader = new DataLoader(data(30), 10, false, false, null).prefetch(2).transform(x -> {
            throw new IllegalStateException("broken transform");
        });
        var e = assertThrows(IllegalStateException.class, () -> loader.iterator().next());
        assertEquals("broken transform", e.getMessage());
    }

    @Test
    void shufflingWithoutAGeneratorIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(data(5), 2, true, false, null));
        assertTrue(e.getMessage().contains("Rng"), e.getMessage());
    }

    @Test
    void normalizeFitsAndAppliesStatistics() {
        Tensor x = Tensor.matrix(new float[][] {{1, 10}, {3, 10}, {5, 10}});
        Transform.Normalize global = Transform.Normalize.fit(x, false);
        assertEquals(6.5f, global.mean()[0], 1e-5f);
        Transform.Normalize perColumn = Transform.Normalize.fit(x, true);
        assertArrayEquals(new float[] {3, 10}, perColumn.mean(), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.sqrt(8.0 / 3), 1f}, perColumn.std(), 1e-6f); // constant column: std 1
        Tensor z = perColumn.apply(x);
        float s = (float) Math.sqrt(8.0 / 3);
        assertArrayEquals(new float[] {-2 / s, 0, 0, 0, 2 / s, 0}, z.toArray(), 1e-6f);
        Dataset d = new Dataset(x, Tensor.vector(0, 1, 2)).normalize(1f, 2f);
        assertArrayEquals(new float[] {0, 4.5f, 1, 4.5f, 2, 4.5f}, d.features().toArray(), 1e-6f);
        assertArrayEquals(new float[] {1, 10, 3, 10, 5, 10}, x.toArray()); // input untouched
        assertThrows(IllegalArgumentException.class, () -> Transform.normalize(0f, 0f));
        assertThrows(RuntimeException.class, () -> perColumn.apply(Tensor.zeros(2, 3)));
    }
}
