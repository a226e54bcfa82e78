package dev.lamina.tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuse of the float arrays of intermediate results, for an engine that knows when a result is no longer needed (the
 * inference engine's plan does). A {@link Pool} holds arrays by length; while a pool is {@link #use in use} on a
 * thread, kernels that write every element of their output take it from {@link #uninitialized}, and the engine gives
 * back the arrays of results whose last reader has run. Without a pool in use, {@link #uninitialized} is
 * {@code new float[n]}. A pool belongs to one thread at a time; worker threads of a parallel region never see it.
 */
public final class Buffers {
    private Buffers() {}

    /** Free arrays by length. */
    public static final class Pool {
        private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
        private long held;

        /** An array of exactly {@code n} floats, reused or new; its contents are whatever they were. */
        float[] take(int n) {
            ArrayDeque<float[]> q = free.get(n);
            float[] a = q == null ? null : q.pollLast();
            if (a == null) return new float[n];
            held -= n;
            return a;
        }

        /** Gives an array back for reuse: nothing may read or write it afterwards. */
        public void give(float[] a) {
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).addLast(a);
            held += a.length;
        }

        /** Gives the storage of {@code t} back for reuse: nothing may read or write it (or any view of it) afterwards. */
        public void giveStorageOf(Tensor t) {
            give(t.storage());
        }

        /** Floats held for reuse. */
        public long heldFloats() {
            return held;
        }
    }

    private static final ThreadLocal<Pool> CURRENT = new ThreadLocal<>();

    /** Makes {@code pool} (null: none) the calling thread's pool until the returned scope is closed (scopes nest). */
    public static Scope use(Pool pool) {
        Pool previous = CURRENT.get();
        CURRENT.set(pool);
        return () -> {
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
        };
    }

    /** A scope of {@link #use}; closing it restores the previous pool. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Gives a scratch array taken with {@link #uninitialized} back to the current pool, if there is one: for working
     * space an op needs only while it runs (nothing may read or write it afterwards).
     */
    public static void recycle(float[] a) {
        Pool p = CURRENT.get();
        if (p != null) p.give(a);
    }

    /** An array of {@code n} floats for a result that the caller writes completely: from the current pool, or new (zeroed). */
    public static float[] uninitialized(int n) {
        Pool p = CURRENT.get();
        return p == null ? new float[n] : p.take(n);
    }
}
