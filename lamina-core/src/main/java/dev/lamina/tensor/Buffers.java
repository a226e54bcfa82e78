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

    /**
     * Free arrays by length. Arrays may come back that the pool never handed out (a kernel that allocates its output
     * with {@code new}), so what it holds is bounded at the end of each run by {@link #endRun}: per length, at most as
     * many arrays as that run took. A run that repeats therefore finds every array it takes, and the pool stays the
     * size of one run's takes however many runs go by.
     */
    public static final class Pool {
        private static final class Slot {
            final ArrayDeque<float[]> free = new ArrayDeque<>();
            int taken;   // arrays of this length taken since the last endRun
        }

        private final Map<Integer, Slot> slots = new HashMap<>();
        private long held;

        /** An array of exactly {@code n} floats, reused or new; its contents are whatever they were. */
        float[] take(int n) {
            Slot s = slots.computeIfAbsent(n, k -> new Slot());
            s.taken++;
            float[] a = s.free.pollLast();
            if (a == null) return new float[n];
            held -= n;
            return a;
        }

        /** Gives an array back for reuse: nothing may read or write it afterwards. */
        public void give(float[] a) {
            slots.computeIfAbsent(a.length, k -> new Slot()).free.addLast(a);
            held += a.length;
        }

        /** Gives the storage of {@code t} back for reuse: nothing may read or write it (or any view of it) afterwards. */
        public void giveStorageOf(Tensor t) {
            give(t.storage());
        }

        /**
         * Ends a run: keeps, per length, at most as many arrays as were taken since the previous call (the oldest
         * surplus goes to the garbage collector) and starts counting again.
         */
        public void endRun() {
            var it = slots.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                Slot s = e.getValue();
                while (s.free.size() > s.taken) {
                    s.free.pollFirst();
                    held -= e.getKey();
                }
                if (s.taken == 0) it.remove();
                else s.taken = 0;
            }
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
