package dev.lamina.data;

import dev.lamina.tensor.Rng;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Mini-batches of a {@link Dataset}: seeded reshuffling every epoch (same seed, same order), keep or drop a last
 * short batch, an optional {@link Transform} of each batch's features, and optional background prefetching.
 * Iterate once per epoch.
 *
 * <p>Prefetching ({@link #prefetch(int)}): a daemon thread ({@code lamina-prefetch}) assembles the next batches
 * (row gathering and the transform) while the caller trains on the current one. The order and contents of the
 * batches are exactly those without prefetching: the permutation is drawn on the caller's thread when the
 * iteration starts, and each batch depends only on its positions in it. One such thread serves every loader; it
 * exits after a second without work, so an iteration abandoned early (a {@code break}, an exception) leaves at
 * most the batches already requested to finish and no thread behind. {@link BatchIterator#close()} cancels those
 * too.
 */
public final class DataLoader implements Iterable<Dataset> {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Rng rng;
    private Transform transform;
    private int prefetch;

    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, Rng rng) {
        if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        if (shuffle && rng == null) throw new IllegalArgumentException("DataLoader: shuffling needs a random generator (Rng), got null");
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.rng = rng;
    }

    /** Applies {@code transform} to the features of every batch (on the prefetch thread when prefetching). */
    public DataLoader transform(Transform transform) {
        this.transform = transform;
        return this;
    }

    /** Prepares up to {@code batches} batches ahead on a background thread; 0 (the default) prepares them in {@code next()}. */
    public DataLoader prefetch(int batches) {
        if (batches < 0) throw new IllegalArgumentException("DataLoader: prefetch must be >= 0, got " + batches);
        this.prefetch = batches;
        return this;
    }

    public int prefetch() {
        return prefetch;
    }

    /** Number of batches per epoch. */
    public int batches() {
        return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Number of examples one epoch visits (less than the data set's size when the last short batch is dropped). */
    public int samplesPerEpoch() {
        return dropLast ? batches() * batchSize : data.size();
    }

    public Dataset dataset() {
        return data;
    }

    /** The generator that draws each epoch's permutation (may be null when not shuffling). */
    public Rng rng() {
        return rng;
    }

    /** Whether each pass draws a fresh permutation. */
    public boolean shuffles() {
        return shuffle;
    }

    /** A new pass over the data; draws a fresh permutation when shuffling. */
    @Override
    public BatchIterator iterator() {
        return iterator(0);
    }

    /**
     * A pass that starts at batch {@code firstBatch} (from 0): the permutation is drawn exactly as by
     * {@link #iterator()}, and the first {@code firstBatch} batches are skipped without being built (nor
     * prefetched). With the shuffling generator put back where it was when an epoch began, this continues that
     * epoch where it was interrupted: resuming from a checkpoint uses it.
     */
    public BatchIterator iterator(int firstBatch) {
        if (firstBatch < 0 || firstBatch > batches()) {
            throw new IllegalArgumentException("DataLoader: first batch " + firstBatch + " is outside [0, " + batches() + "]");
        }
        int n = data.size();
        int[] order;
        if (shuffle) {
            order = rng.permutation(n);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        return new BatchIterator(order, batches(), firstBatch);
    }

    private Dataset batch(int[] order, int index) {
        int from = index * batchSize, to = Math.min(from + batchSize, order.length);
        Dataset b = data.select(Arrays.copyOfRange(order, from, to));
        return transform == null ? b : new Dataset(transform.apply(b.features()), b.targets());
    }

    /** One pass over the batches; {@link #close()} (optional) cancels batches prepared ahead that will not be used. */
    public final class BatchIterator implements Iterator<Dataset>, AutoCloseable {
        private final int[] order;
        private final int total;
        private final ArrayDeque<Future<Dataset>> pending = new ArrayDeque<>();
        private int next;
        private int submitted;

        private BatchIterator(int[] order, int total, int first) {
            this.order = order;
            this.total = total;
            this.next = first;
            this.submitted = first;
            if (prefetch > 0) {
                while (submitted < Math.min(first + prefetch, total)) submitNext();
            }
        }

        private void submitNext() {
            int index = submitted++;
            pending.addLast(Prefetcher.POOL.submit(() -> batch(order, index)));
        }

        @Override
        public boolean hasNext() {
            return next < total;
        }

        @Override
        public Dataset next() {
            if (!hasNext()) throw new NoSuchElementException();
            int index = next++;
            if (pending.isEmpty()) return batch(order, index);
            Future<Dataset> head = pending.removeFirst();
            if (submitted < total) submitNext();
            try {
                return head.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new CancellationException("DataLoader: interrupted while waiting for batch " + index);
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) throw r;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException("DataLoader: preparing batch " + index + " failed: " + cause, cause);
            }
        }

        /** Cancels the batches prepared ahead; the iterator then yields no more batches. */
        @Override
        public void close() {
            if (!pending.isEmpty()) {
                for (Future<Dataset> f : pending) f.cancel(false);
                pending.clear();
                Prefetcher.POOL.purge();
            }
            next = total;
        }
    }

    /** The one background thread of all loaders: daemon, started on demand, gone after a second idle. */
    private static final class Prefetcher {
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "lamina-prefetch");
            t.setDaemon(true);
            return t;
        });

        static {
            POOL.allowCoreThreadTimeOut(true);
        }
    }

    /** Size, batch size, shuffling, the last short batch, prefetching, e.g. {@code DataLoader(1,200 examples, batch 16, shuffled, last short batch kept, 75 batches, prefetch 2)}. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "DataLoader(%,d examples, batch %d, %s, last short batch %s, %d batches%s%s)", data.size(), batchSize,
                shuffle ? "shuffled" : "in order", dropLast ? "dropped" : "kept", batches(), prefetch > 0 ? ", prefetch " + prefetch : "", transform != null ? ", with a transform" : "");
    }
}
