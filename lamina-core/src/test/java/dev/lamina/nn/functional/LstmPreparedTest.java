package dev.lamina.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.tensor.Buffers;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/**
 * The LSTM with weights prepared once for inference gives the bits of the plain LSTM, in both directions, with and
 * without biases, initial states and a length mask, also when its work arrays come from a buffer pool full of other
 * values (its arrays are not new, so every element it reads must be one it wrote).
 */
class LstmPreparedTest {
    @Test
    void preparedWeightsGiveThePlainLstmsBits() {
        int[][] shapes = {{5, 3, 7, 16}, {1, 1, 4, 5}, {9, 2, 3, 32}, {4, 5, 6, 11}};   // seq, batch, in, hidden
        for (int[] sh : shapes) {
            int seq = sh[0], batch = sh[1], in = sh[2], hid = sh[3];
            for (int variant = 0; variant < 4; variant++) {
                Rng rng = new Rng(seq * 1000L + hid * 10L + variant);
                boolean biases = variant % 2 == 0, states = variant >= 2;
                Tensor x = Tensor.randn(rng, seq, batch, in), wIh = Tensor.randn(rng, 4 * hid, in), wHh = Tensor.randn(rng, 4 * hid, hid);
                Tensor bIh = biases ? Tensor.randn(rng, 4 * hid) : null, bHh = biases ? Tensor.randn(rng, 4 * hid) : null;
                Tensor h0 = states ? Tensor.randn(rng, batch, hid) : null, c0 = states ? Tensor.randn(rng, batch, hid) : null;
                float[] mask = null;
                if (variant == 3) {
                    mask = new float[seq * batch];
                    for (int b = 0; b < batch; b++) for (int t = 0; t < Math.max(1, seq - b); t++) mask[t * batch + b] = 1f;
                }
                LstmOp.Prepared prepared = LstmOp.prepare(wIh, wHh, bIh, bHh);
                for (boolean reverse : new boolean[] {false, true}) {
                    String where = java.util.Arrays.toString(sh) + " variant " + variant + (reverse ? " reverse" : "");
                    LstmOp.Result plain = LstmOp.lstm(x, h0, c0, wIh, wHh, bIh, bHh, mask, reverse);
                    Buffers.Pool pool = new Buffers.Pool();
                    for (int run = 0; run < 3; run++) {
                        LstmOp.Result fast;
                        try (var scope = Buffers.use(pool)) {
                            fast = LstmOp.lstm(x, h0, c0, prepared, mask, reverse);
                        }
                        assertArrayEquals(plain.output().toArray(), fast.output().toArray(), where + ": output, run " + run);
                        assertArrayEquals(plain.hN().toArray(), fast.hN().toArray(), where + ": hN, run " + run);
                        assertArrayEquals(plain.cN().toArray(), fast.cN().toArray(), where + ": cN, run " + run);
                        pool.give(fast.output().storage());   // the next run takes it back, full of this run's values
                        poison(pool, seq, batch, hid);
                        pool.endRun();
                    }
                }
            }
        }
    }

    /** Arrays of the lengths the LSTM takes (gates, tanh(c), cells, states without and with a mask) filled with NaN, so a read of an element it did not write shows. */
    private static void poison(Buffers.Pool pool, int seq, int batch, int hid) {
        for (int n : new int[] {seq * batch * 4 * hid, seq * batch * hid, (seq + 1) * batch * hid, (seq + 3) * batch * hid, (2 * seq + 3) * batch * hid}) {
            float[] a = new float[n];
            java.util.Arrays.fill(a, Float.NaN);
            pool.give(a);
        }
    }

    @Test
    void aWrongInputOrStateShapeIsRefused() {
        Rng rng = new Rng(1);
        LstmOp.Prepared prepared = LstmOp.prepare(Tensor.randn(rng, 16, 3), Tensor.randn(rng, 16, 4), null, null);
        assertThrows(ShapeException.class, () -> LstmOp.lstm(Tensor.randn(rng, 2, 1, 5), null, null, prepared, null, false));
        assertThrows(ShapeException.class, () -> LstmOp.lstm(Tensor.randn(rng, 2, 1, 3), Tensor.randn(rng, 2, 4), null, prepared, null, false));
        assertThrows(ShapeException.class, () -> LstmOp.prepare(Tensor.randn(rng, 16, 3), Tensor.randn(rng, 12, 4), null, null));
    }
}
