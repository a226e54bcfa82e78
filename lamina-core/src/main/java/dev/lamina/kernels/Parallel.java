package dev.lamina.kernels;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one worker pool of the library.
 *
 * <p>{@link #forRange} splits {@code [0, n)} into at most {@link #threads()} contiguous chunks, runs the
 * first chunk on the calling thread and the others on daemon workers, and returns when every chunk is
 * done. The split depends only on {@code n}, {@code minChunk} and the thread count, never on timing.
 *
 * <p>Workers spin briefly ({@code lamina.spinMicros}, default 300 µs) before parking, so a sequence of
 * small parallel ops does not pay a park/unpark round trip each (a plain {@code ExecutorService}
 * hand-off measured several times slower for small GEMMs). Waking a parked thread costs tens of
 * microseconds on this VM; with a 100 µs spin a stream of 40 µs GEMMs (64x128x256) parked often enough,
 * once the machine had other load, to run slower on two threads than on one; 300 µs did not.
 *
 * <p>Re-entrancy: a call from inside a worker (nested parallelism), or while another thread is using the
 * pool, runs its chunks one after another on the calling thread, with the same split. It never blocks
 * waiting for the pool, so it cannot deadlock.
 *
 * <p>The thread count defaults to {@code Runtime.availableProcessors()} and can be set with the system
 * property {@code lamina.threads} or {@link #setThreads(int)}.
 */
public final class Parallel {

    /** The body of a {@link #forRange} call: handles indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final long SPIN_NANOS =
            TimeUnit.MICROSECONDS.toNanos(Long.getLong("lamina.spinMicros", 300L));

    private static volatile Pool pool = new Pool(defaultThreads());

    private Parallel() {
    }

    private static int defaultThreads() {
        int n = Runtime.getRuntime().availableProcessors();
        String p = System.getProperty("lamina.threads");
        if (p != null && !p.isBlank()) {
            try {
                n = Integer.parseInt(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("lamina.threads must be an integer, got '" + p + "'", e);
            }
        }
        return Math.max(1, n);
    }

    /** The number of threads (the caller included) a {@link #forRange} call may use. */
    public static int threads() {
        return pool.size;
    }

    /**
     * Sets the number of threads (the caller included). Meant to be called between ops; an op running
     * concurrently finishes on the old workers first.
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        Pool old = pool;
        if (old.size == n) {
            return;
        }
        pool = new Pool(n);
        old.shutdown();
    }

    /** Number of chunks {@link #forRange} splits {@code n} into with the current thread count. */
    public static int chunks(int n, int minChunk) {
        return chunkCount(n, minChunk, pool.size);
    }

    private static int chunkCount(int n, int minChunk, int threads) {
        int mc = Math.max(1, minChunk);
        if (threads <= 1 || n < 2 * mc) {
            return 1;
        }
        return Math.min(threads, n / mc);
    }

    /** Start of chunk {@code i} of {@code chunks} over {@code [0, n)}: the first {@code n % chunks} get one more. */
    private static int chunkStart(int n, int chunks, int i) {
        int base = n / chunks;
        int rem = n % chunks;
        return i * base + Math.min(i, rem);
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks of at
     * least {@code minChunk} indices each (when {@code n < 2 * minChunk} or there is one thread, it runs
     * {@code body.run(0, n)} inline). Rethrows the first exception thrown by any chunk once all chunks have
     * finished.
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) {
            return;
        }
        Pool p = pool;
        int chunks = chunkCount(n, minChunk, p.size);
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        if (Thread.currentThread() instanceof Worker || !p.busy.compareAndSet(false, true)) {
            // Nested or concurrent use: same split, run sequentially here.
            for (int i = 0; i < chunks; i++) {
                body.run(chunkStart(n, chunks, i), chunkStart(n, chunks, i + 1));
            }
            return;
        }
        try {
            p.run(n, chunks, body);
        } finally {
            p.busy.set(false);
        }
    }

    /**
     * Shared state of one {@link #forRange} call. Chunks are claimed through a counter: whichever thread
     * (caller or worker) is free takes the next chunk, so a worker that the OS has not scheduled yet
     * (the machine is busy) does not hold the caller up; the caller then runs that chunk itself. The
     * chunk boundaries stay fixed.
     */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        final AtomicReference<Throwable> error = new AtomicReference<>();
        volatile Thread waiter;

        Job(RangeBody body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.pending = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            int i;
            while ((i = next.getAndIncrement()) < chunks) {
                try {
                    body.run(chunkStart(n, chunks, i), chunkStart(n, chunks, i + 1));
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        Thread w = waiter;
                        if (w != null) {
                            LockSupport.unpark(w);
                        }
                    }
                }
            }
        }
    }

    private static final class Pool {
        final int size;
        final Worker[] workers;
        final AtomicBoolean busy = new AtomicBoolean();
        volatile boolean shutdown;

        Pool(int size) {
            this.size = size;
            this.workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        void run(int n, int chunks, RangeBody body) {
            Job job = new Job(body, n, chunks);
            for (int i = 1; i < chunks; i++) {
                workers[i - 1].submit(job);
            }
            job.work();
            await(job);
            Throwable t = job.error.get();
            if (t != null) {
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new RuntimeException(t);
            }
        }

        private static void await(Job job) {
            if (job.pending.get() == 0) {
                return;
            }
            long start = System.nanoTime();
            int spins = 0;
            while (job.pending.get() != 0) {
                Thread.onSpinWait();
                if ((++spins & 63) == 0 && System.nanoTime() - start > SPIN_NANOS) {
                    break;
                }
            }
            if (job.pending.get() == 0) {
                return;
            }
            job.waiter = Thread.currentThread();
            while (job.pending.get() != 0) {
                LockSupport.park(job);
            }
        }

        void shutdown() {
            // Wait for a call in flight on this pool, then keep it marked busy forever so that a thread
            // still holding a reference to it runs inline.
            while (!busy.compareAndSet(false, true)) {
                Thread.yield();
            }
            shutdown = true;
            for (Worker w : workers) {
                LockSupport.unpark(w);
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        private final AtomicReference<Job> job = new AtomicReference<>();
        private volatile boolean parked;

        Worker(Pool pool, int index) {
            super("lamina-worker-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        void submit(Job j) {
            job.set(j);
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        private Job awaitJob() {
            long begin = System.nanoTime();
            int spins = 0;
            while (true) {
                Job j = job.get();
                if (j != null) {
                    return j;
                }
                if (pool.shutdown) {
                    return null;
                }
                Thread.onSpinWait();
                if ((++spins & 63) == 0 && System.nanoTime() - begin > SPIN_NANOS) {
                    break;
                }
            }
            while (true) {
                parked = true;
                Job j = job.get();
                if (j != null) {
                    parked = false;
                    return j;
                }
                if (pool.shutdown) {
                    parked = false;
                    return null;
                }
                LockSupport.park(this);
                parked = false;
                j = job.get();
                if (j != null) {
                    return j;
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                Job j = awaitJob();
                if (j == null) {
                    return;
                }
                // Clear only if no newer job was submitted meanwhile (the caller may have finished this
                // one alone and moved on).
                job.compareAndSet(j, null);
                j.work();
            }
        }
    }
}
