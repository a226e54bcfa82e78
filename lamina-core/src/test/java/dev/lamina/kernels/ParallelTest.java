package dev.lamina.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    private static void assertCoversOnce(int n, int minChunk) {
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 0));
        Parallel.forRange(n, minChunk, (s, e) -> {
            assertTrue(s < e || n == 0, "empty chunk");
            for (int i = s; i < e; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i + " of " + n + " (minChunk " + minChunk + ")");
        }
    }

    @Test
    void coversAllIndicesExactlyOnce() {
        for (int threads : new int[]{1, 2, 3, 4, 7}) {
            Parallel.setThreads(threads);
            assertEquals(threads, Parallel.threads());
            for (int n : new int[]{0, 1, 2, 3, 5, 10, 16, 17, 100, 1001}) {
                for (int minChunk : new int[]{0, 1, 2, 3, 8, 500}) {
                    assertCoversOnce(n, minChunk);
                }
            }
        }
    }

    @Test
    void splitIsDeterministicAndBounded() {
        Parallel.setThreads(3);
        for (int rep = 0; rep < 20; rep++) {
            Set<String> chunks = ConcurrentHashMap.newKeySet();
            Parallel.forRange(10, 1, (s, e) -> chunks.add(s + "-" + e));
            assertEquals(Set.of("0-4", "4-7", "7-10"), chunks);
        }
        // Below 2 * minChunk: inline, one chunk.
        List<String> one = new ArrayList<>();
        Parallel.forRange(9, 5, (s, e) -> one.add(s + "-" + e));
        assertEquals(List.of("0-9"), one);
        // No more chunks than n / minChunk.
        Set<String> two = ConcurrentHashMap.newKeySet();
        Parallel.forRange(11, 5, (s, e) -> two.add(s + "-" + e));
        assertEquals(Set.of("0-6", "6-11"), two);
        assertEquals(2, Parallel.chunks(11, 5));
    }

    @Test
    void usesWorkerThreads() {
        Parallel.setThreads(2);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch both = new CountDownLatch(2);
        Parallel.forRange(2, 1, (s, e) -> {
            seen.add(Thread.currentThread());
            both.countDown();
            try {
                // Holds this chunk until the other one has started, so it must be on another thread.
                both.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                throw new RuntimeException(ex);
            }
        });
        assertEquals(2, seen.size());
        assertTrue(seen.contains(Thread.currentThread()));
    }

    @Test
    void exceptionsPropagate() {
        Parallel.setThreads(2);
        IllegalStateException boom = new IllegalStateException("boom");
        // From the worker's chunk.
        IllegalStateException got = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1, (s, e) -> {
            if (s > 0) {
                throw boom;
            }
        }));
        assertSame(boom, got);
        // From the caller's chunk.
        assertThrows(ArithmeticException.class, () -> Parallel.forRange(100, 1, (s, e) -> {
            if (s == 0) {
                throw new ArithmeticException();
            }
        }));
        // Errors too.
        assertThrows(AssertionError.class, () -> Parallel.forRange(100, 1, (s, e) -> {
            throw new AssertionError("x");
        }));
        // The pool still works afterwards.
        assertCoversOnce(1000, 1);
    }

    @Test
    void nestedCallsDoNotDeadlock() {
        Parallel.setThreads(2);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            AtomicInteger total = new AtomicInteger();
            Parallel.forRange(8, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    Parallel.forRange(100, 1, (s2, e2) -> {
                        Parallel.forRange(e2 - s2, 1, (s3, e3) -> total.addAndGet(e3 - s3));
                    });
                }
            });
            assertEquals(800, total.get());
        });
    }

    @Test
    void concurrentCallersDoNotDeadlock() throws Exception {
        Parallel.setThreads(2);
        int users = 4;
        int reps = 300;
        AtomicReference<Throwable> error = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        AtomicInteger total = new AtomicInteger();
        for (int u = 0; u < users; u++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < reps; r++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(257);
                        Parallel.forRange(257, 3, (s, e) -> {
                            for (int i = s; i < e; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < 257; i++) {
                            if (hits.get(i) != 1) {
                                throw new AssertionError("index " + i + " hit " + hits.get(i));
                            }
                        }
                        total.incrementAndGet();
                    }
                } catch (Throwable e) {
                    error.compareAndSet(null, e);
                }
            });
            t.start();
            ts.add(t);
        }
        start.countDown();
        for (Thread t : ts) {
            t.join(20_000);
            assertTrue(!t.isAlive(), "user thread stuck");
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
        assertEquals(users * reps, total.get());
    }

    @Test
    void resizeWhileIdleAndAfterParking() throws Exception {
        Parallel.setThreads(2);
        assertCoversOnce(50, 1);
        Thread.sleep(5); // workers park
        assertCoversOnce(50, 1);
        Parallel.setThreads(4);
        assertCoversOnce(50, 1);
        Parallel.setThreads(1);
        assertCoversOnce(50, 1);
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }
}
