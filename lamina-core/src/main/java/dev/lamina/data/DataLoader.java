package dev.lamina.data;

import dev.lamina.tensor.Rng;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Mini-batches of a {@link Dataset}: seeded reshuffling every epoch (same seed, same order), keep or drop a last
 * short batch. Iterate once per epoch.
 */
public final class DataLoader implements Iterable<Dataset> {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final Rng rng;

    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, Rng rng) {
        if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.rng = rng;
    }

    /** Number of batches per epoch. */
    public int batches() {
        return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
    }

    public Dataset dataset() {
        return data;
    }

    /** A new pass over the data; draws a fresh permutation when shuffling. */
    @Override
    public Iterator<Dataset> iterator() {
        int n = data.size();
        int[] order;
        if (shuffle) {
            order = rng.permutation(n);
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        int total = batches();
        return new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public Dataset next() {
                if (!hasNext()) throw new NoSuchElementException();
                int from = next * batchSize, to = Math.min(from + batchSize, n);
                next++;
                return data.select(java.util.Arrays.copyOfRange(order, from, to));
            }
        };
    }
}
