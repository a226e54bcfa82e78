package dev.lamina.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The buffer pool reuses what it lends and holds, after each run, no more than that run took. */
class BuffersPoolTest {
    @Test
    void anArrayGivenBackIsTakenAgain() {
        Buffers.Pool pool = new Buffers.Pool();
        float[] a = pool.take(10);
        pool.give(a);
        assertEquals(10, pool.heldFloats());
        assertSame(a, pool.take(10));
        assertEquals(0, pool.heldFloats());
        assertNotSame(a, pool.take(10), "a length with nothing free gets a new array");
    }

    @Test
    void arraysThePoolNeverLentAreNotKeptPastTheRun() {
        Buffers.Pool pool = new Buffers.Pool();
        for (int run = 0; run < 100; run++) {
            float[] lent = pool.take(8);
            pool.give(new float[1000]);   // a kernel's own output, given back at its last reader
            pool.give(new float[8]);
            pool.give(lent);
            pool.endRun();
            assertEquals(8, pool.heldFloats(), "run " + run + ": one array of the one length taken");
        }
    }

    @Test
    void aRunKeepsAsManyArraysOfALengthAsItTook() {
        Buffers.Pool pool = new Buffers.Pool();
        float[] a = pool.take(4), b = pool.take(4), c = pool.take(6);
        pool.give(a);
        pool.give(b);
        pool.give(c);
        pool.endRun();
        assertEquals(14, pool.heldFloats());
        pool.take(4);   // the next run takes one array of length 4 and none of length 6
        pool.endRun();
        assertEquals(4, pool.heldFloats(), "the one free array of length 4 stays, the one of length 6 goes");
    }

    @Test
    void uninitializedUsesThePoolOnlyInsideItsScope() {
        Buffers.Pool pool = new Buffers.Pool();
        float[] a = new float[5];
        pool.give(a);
        try (var scope = Buffers.use(pool)) {
            assertSame(a, Buffers.uninitialized(5));
            Buffers.recycle(a);
        }
        assertNotSame(a, Buffers.uninitialized(5));
        assertEquals(5, pool.heldFloats());
    }
}
