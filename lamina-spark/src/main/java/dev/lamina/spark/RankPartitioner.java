package dev.lamina.spark;

import org.apache.spark.Partitioner;

/** Deals rows to workers by index: row {@code i} goes to rank {@code i mod workers}, so partition sizes differ by at most one. */
final class RankPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int workers;

    RankPartitioner(int workers) {
        this.workers = workers;
    }

    @Override
    public int numPartitions() {
        return workers;
    }

    @Override
    public int getPartition(Object key) {
        return (int) Math.floorMod((Long) key, (long) workers);
    }

    /** Rows rank {@code r} gets out of {@code total}. */
    static long rowsOf(long total, int workers, int r) {
        return total / workers + (r < total % workers ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RankPartitioner p && p.workers == workers;
    }

    @Override
    public int hashCode() {
        return workers;
    }
}
