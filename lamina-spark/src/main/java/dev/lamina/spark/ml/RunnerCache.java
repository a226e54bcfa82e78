package dev.lamina.spark.ml;

import org.apache.spark.broadcast.Broadcast;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Per executor JVM: models built from a broadcast, kept for the next partition. A task borrows one (building it from
 * the broadcast bytes only when none is free) and returns it, so an executor builds at most one model per
 * concurrently running task, and each model runs on one thread at a time.
 */
final class RunnerCache {
    private RunnerCache() {
    }

    private static final Map<Long, ConcurrentLinkedQueue<BatchRunner>> FREE = new ConcurrentHashMap<>();

    static BatchRunner borrow(Broadcast<byte[]> bytes, ModelSource source) {
        BatchRunner r = FREE.computeIfAbsent(bytes.id(), k -> new ConcurrentLinkedQueue<>()).poll();
        return r != null ? r : source.build(bytes.value());
    }

    static void giveBack(Broadcast<byte[]> bytes, BatchRunner runner) {
        FREE.computeIfAbsent(bytes.id(), k -> new ConcurrentLinkedQueue<>()).add(runner);
    }
}
