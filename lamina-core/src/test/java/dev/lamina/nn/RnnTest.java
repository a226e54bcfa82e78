package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.GradCheck;
import dev.lamina.nn.functional.GruOp;
import dev.lamina.nn.functional.LstmOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/** LSTM/GRU beyond the PyTorch fixtures: parameters, masks, dropout, finite-difference gradients and bad input. */
class RnnTest {
    private static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], tol, "element " + i);
    }

    // ------------------------------------------------------------------------------------------------ parameters

    @Test
    void parametersHavePyTorchNamesShapesAndInit() {
        LSTM lstm = new LSTM(3, 4, 2, true, true, new Rng(1));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"),
                List.copyOf(lstm.namedParameters().keySet()));
        assertArrayEquals(new int[] {16, 3}, lstm.namedParameters().get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {16, 8}, lstm.namedParameters().get("weight_ih_l1_reverse").shape());
        assertArrayEquals(new int[] {16, 4}, lstm.namedParameters().get("weight_hh_l1").shape());
        GRU gru = new GRU(5, 6, 1, false, false, new Rng(1));
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0"), List.copyOf(gru.namedParameters().keySet()));
        assertArrayEquals(new int[] {18, 5}, gru.namedParameters().get("weight_ih_l0").shape());
        assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"), List.copyOf(new LSTMCell(2, 3).namedParameters().keySet()));
        assertArrayEquals(new int[] {9, 3}, new GRUCell(2, 3).namedParameters().get("weight_hh").shape());
        // PyTorch's init: U(-1/sqrt(H), 1/sqrt(H)) for everything; variance of U(-b, b) is b²/3
        LSTM big = new LSTM(64, 100, 1, true, false, new Rng(2));
        double bound = 0.1, sumSq = 0;
        float[] w = big.namedParameters().get("weight_hh_l0").toArray();
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound);
            sumSq += v * v;
        }
        assertEquals(bound * bound / 3, sumSq / w.length, 0.05 * bound * bound / 3);
    }

    // ------------------------------------------------------------------------------------------------ masks and lengths

    /** A masked-out step is skipped: the row's result equals running the sequence without that step. */
    @Test
    void maskedStepIsSkippedInBothDirections() {
        Rng rng = new Rng(3);
        for (RNNBase m : List.of(new LSTM(3, 5, 1, true, true, rng), new GRU(3, 5, 1, true, true, rng))) {
            Tensor x = Tensor.randn(rng, 4, 2, 3);          // [seq, batch, in]
            Tensor mask = Tensor.of(new float[] {1, 0, 1, 1, 1, 1, 1, 1}, 2, 4);
            RnnOutput r = m.forwardMasked(x, null, mask);
            // row 0 without step 1
            Tensor x0 = Tensor.cat(List.of(x.narrow(0, 0, 1), x.narrow(0, 2, 2)), 0).narrow(1, 0, 1);
            RnnOutput ref = m.forward(x0, null);
            Tensor out0 = r.output().narrow(1, 0, 1);
            assertClose(ref.output().narrow(0, 0, 1), out0.narrow(0, 0, 1), 1e-6);
            assertClose(Tensor.zeros(1, 1, 10), out0.narrow(0, 1, 1), 0);
            assertClose(ref.output().narrow(0, 1, 2), out0.narrow(0, 2, 2), 1e-6);
            assertClose(ref.hN().narrow(1, 0, 1), r.hN().narrow(1, 0, 1), 1e-6);
            // row 1 is unmasked: as if run alone
            RnnOutput ref1 = m.forward(x.narrow(1, 1, 1), null);
            assertClose(ref1.output(), r.output().narrow(1, 1, 1), 1e-6);
        }
    }

    @Test
    void zeroLengthRowKeepsInitialStateAndOutputsZeros() {
        Rng rng = new Rng(4);
        LSTM m = new LSTM(2, 3, 2, true, false, rng);
        Tensor x = Tensor.randn(rng, 3, 2, 2);
        Tensor h0 = Tensor.randn(rng, 2, 2, 3), c0 = Tensor.randn(rng, 2, 2, 3);
        RnnOutput r = m.forward(x, new RnnState(h0, c0), Tensor.vector(3, 0));
        assertClose(Tensor.zeros(3, 1, 3), r.output().narrow(1, 1, 1), 0);
        assertClose(h0.narrow(1, 1, 1), r.hN().narrow(1, 1, 1), 0);
        assertClose(c0.narrow(1, 1, 1), r.cN().narrow(1, 1, 1), 0);
    }

    /** A hand-written loop of cells with the layer's weights reproduces the layer. */
    @Test
    void cellLoopsMatchTheLayers() {
        Rng rng = new Rng(5);
        LSTM lstm = new LSTM(3, 4, 1, true, false, rng);
        LSTMCell lcell = new LSTMCell(3, 4, true, rng);
        GRU gru = new GRU(3, 4, 1, true, false, rng);
        GRUCell gcell = new GRUCell(3, 4, true, rng);
        for (String k : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
            lcell.namedParameters().get(k).copyFrom_(lstm.namedParameters().get(k + "_l0"));
            gcell.namedParameters().get(k).copyFrom_(gru.namedParameters().get(k + "_l0"));
        }
        Tensor x = Tensor.randn(rng, 5, 2, 3);
        RnnOutput lr = lstm.forward(x, null), gr = gru.forward(x, null);
        RnnState s = null;
        Tensor h = null;
        for (int t = 0; t < 5; t++) {
            s = lcell.forward(x.select(0, t), s);
            h = gcell.forward(x.select(0, t), h);
            assertClose(lr.output().select(0, t), s.h(), 1e-6);
            assertClose(gr.output().select(0, t), h, 1e-6);
        }
        assertClose(lr.cN().select(0, 0), s.c(), 1e-6);
    }

    /**
     * At H = 64 (a step split by hidden units across threads), the fused layers equal the same equations written with
     * plain tensor ops: outputs and gradients, both directions.
     */
    @Test
    void fusedLayersMatchPlainTensorOps() {
        Rng rng = new Rng(16);
        int steps = 5, batch = 16, in = 8, hid = 64;
        for (boolean lstm : new boolean[] {true, false}) {
            RNNBase m = lstm ? new LSTM(in, hid, 1, true, true, rng) : new GRU(in, hid, 1, true, true, rng);
            Tensor x = Tensor.randn(rng, steps, batch, in).requiresGrad(true);
            Tensor xr = Tensor.of(x.toArray(), x.shape()).requiresGrad(true);
            Tensor dir = Tensor.randn(rng, steps, batch, 2 * hid);
            m.forward(x).mul(dir).sum().backward();
            List<Tensor> outs = new java.util.ArrayList<>();
            Tensor[][] ws = new Tensor[2][];
            for (int d = 0; d < 2; d++) {
                Tensor[] w = m.weights(0, d);
                ws[d] = new Tensor[4];
                for (int i = 0; i < 4; i++) ws[d][i] = Tensor.of(w[i].toArray(), w[i].shape()).requiresGrad(true);
                Tensor h = Tensor.zeros(batch, hid), c = Tensor.zeros(batch, hid);
                Tensor[] seq = new Tensor[steps];
                for (int s = 0; s < steps; s++) {
                    int t = d == 0 ? s : steps - 1 - s;
                    Tensor gi = xr.select(0, t).matmul(ws[d][0].t()).add(ws[d][2]);
                    Tensor gh = h.matmul(ws[d][1].t()).add(ws[d][3]);
                    if (lstm) {
                        Tensor g = gi.add(gh);
                        Tensor i = g.narrow(1, 0, hid).sigmoid(), f = g.narrow(1, hid, hid).sigmoid();
                        Tensor gg = g.narrow(1, 2 * hid, hid).tanh(), o = g.narrow(1, 3 * hid, hid).sigmoid();
                        c = f.mul(c).add(i.mul(gg));
                        h = o.mul(c.tanh());
                    } else {
                        Tensor r = gi.narrow(1, 0, hid).add(gh.narrow(1, 0, hid)).sigmoid();
                        Tensor z = gi.narrow(1, hid, hid).add(gh.narrow(1, hid, hid)).sigmoid();
                        Tensor n = gi.narrow(1, 2 * hid, hid).add(r.mul(gh.narrow(1, 2 * hid, hid))).tanh();
                        h = n.add(z.mul(h.sub(n)));
                    }
                    seq[t] = h;
                }
                outs.add(Tensor.stack(List.of(seq), 0));
            }
            Tensor ref = Tensor.cat(outs, 2);
            ref.mul(dir).sum().backward();
            assertClose(ref, m.forward(x), 1e-5);
            assertClose(xr.grad(), x.grad(), 1e-4);
            for (int d = 0; d < 2; d++) {
                Tensor[] w = m.weights(0, d);
                for (int i = 0; i < 4; i++) assertClose(ws[d][i].grad(), w[i].grad(), 1e-4);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ dropout

    @Test
    void dropoutBetweenLayersIsStatisticallyRight() {
        LSTM m = new LSTM(2, 2, 2, true, false, new Rng(6)).dropout(0.3, new Rng(7));
        Tensor ones = Tensor.ones(100_000);
        float[] d = m.applyDropout(ones).toArray();
        int zeros = 0;
        double sum = 0;
        for (float v : d) {
            if (v == 0f) zeros++;
            else assertEquals(1 / 0.7, v, 1e-6, "survivors are scaled by 1/(1-p)");
            sum += v;
        }
        assertEquals(0.3, zeros / 1e5, 0.01, "fraction dropped");   // 6 standard deviations
        assertEquals(1.0, sum / 1e5, 0.02, "mean preserved");
    }

    @Test
    void dropoutOnlyInTrainingSeededAndOnlyBetweenLayers() {
        Rng rng = new Rng(8);
        Tensor x = Tensor.randn(rng, 6, 3, 4);
        LSTM plain = new LSTM(4, 5, 2, true, false, new Rng(9));
        LSTM a = new LSTM(4, 5, 2, true, false, new Rng(9)).dropout(0.5, new Rng(10));
        LSTM b = new LSTM(4, 5, 2, true, false, new Rng(9)).dropout(0.5, new Rng(10));
        LSTM c = new LSTM(4, 5, 2, true, false, new Rng(9)).dropout(0.5, new Rng(11));
        Tensor ya = a.forward(x), yb = b.forward(x), yc = c.forward(x), y0 = plain.forward(x);
        assertArrayEquals(ya.toArray(), yb.toArray(), "same seed, same masks");
        assertFalse(java.util.Arrays.equals(ya.toArray(), yc.toArray()), "another seed, other masks");
        assertFalse(java.util.Arrays.equals(ya.toArray(), y0.toArray()), "training mode drops");
        a.eval();
        assertArrayEquals(y0.toArray(), a.forward(x).toArray(), "evaluation mode is the identity");
        assertArrayEquals(a.forward(x).toArray(), a.forward(x).toArray(), "evaluation is deterministic");
        // a single layer has nothing between layers: dropout changes nothing, as in PyTorch
        GRU one = new GRU(4, 5, 1, true, false, new Rng(9)).dropout(0.9, new Rng(1));
        GRU oneRef = new GRU(4, 5, 1, true, false, new Rng(9));
        assertArrayEquals(oneRef.forward(x).toArray(), one.forward(x).toArray());
        // gradients flow through the dropped-out layer boundary
        Tensor xg = x.detach().requiresGrad(true);
        c.forward(xg).sum().backward();
        assertNotNull(xg.grad());
        assertNotNull(c.namedParameters().get("weight_ih_l0").grad());
    }

    // ------------------------------------------------------------------------------------------------ gradcheck

    private static void gradcheck(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, 1e-2, inputs);
        assertTrue(r.passed(2e-2), name + ": " + r);
    }

    private static Tensor flat(Tensor... parts) {
        return Tensor.cat(java.util.Arrays.stream(parts).map(p -> p.reshape(-1)).toList(), 0);
    }

    @Test
    void lstmOpGradientsMatchFiniteDifferences() {
        Rng rng = new Rng(12);
        float[] mask = {1, 1, 1, 0, 1, 0};              // [seq 3, batch 2]: row 1 has length 1
        for (boolean reverse : new boolean[] {false, true}) {
            gradcheck("lstm reverse=" + reverse, t -> {
                LstmOp.Result r = LstmOp.lstm(t[0], t[1], t[2], t[3], t[4], t[5], t[6], mask, reverse);
                return flat(r.output(), r.hN(), r.cN());
            }, Tensor.randn(rng, 3, 2, 3), Tensor.randn(rng, 2, 2), Tensor.randn(rng, 2, 2), Tensor.randn(rng, 8, 3),
                    Tensor.randn(rng, 8, 2), Tensor.randn(rng, 8), Tensor.randn(rng, 8));
        }
    }

    @Test
    void eachRecurrentOutputAloneGetsItsOwnGradient() {
        // the ops' outputs are separate tensors of one tape node: a loss on any one of them alone back-propagates
        Rng rng = new Rng(16);
        float[] mask = {1, 1, 1, 0, 1, 0};
        for (int which = 0; which < 3; which++) {
            int w = which;
            gradcheck("lstm output " + w, t -> {
                LstmOp.Result r = LstmOp.lstm(t[0], t[1], t[2], t[3], t[4], t[5], t[6], mask, w == 1);
                return w == 0 ? r.output() : w == 1 ? r.hN() : r.cN();
            }, Tensor.randn(rng, 3, 2, 3), Tensor.randn(rng, 2, 2), Tensor.randn(rng, 2, 2), Tensor.randn(rng, 8, 3),
                    Tensor.randn(rng, 8, 2), Tensor.randn(rng, 8), Tensor.randn(rng, 8));
            if (w == 2) continue;
            gradcheck("gru output " + w, t -> {
                GruOp.Result r = GruOp.gru(t[0], t[1], t[2], t[3], t[4], t[5], mask, w == 1);
                return w == 0 ? r.output() : r.hN();
            }, Tensor.randn(rng, 3, 2, 3), Tensor.randn(rng, 2, 2), Tensor.randn(rng, 6, 3), Tensor.randn(rng, 6, 2),
                    Tensor.randn(rng, 6), Tensor.randn(rng, 6));
        }
    }

    @Test
    void gruOpGradientsMatchFiniteDifferences() {
        Rng rng = new Rng(13);
        float[] mask = {1, 1, 1, 1, 0, 1};
        for (boolean reverse : new boolean[] {false, true}) {
            gradcheck("gru reverse=" + reverse, t -> {
                GruOp.Result r = GruOp.gru(t[0], t[1], t[2], t[3], t[4], t[5], mask, reverse);
                return flat(r.output(), r.hN());
            }, Tensor.randn(rng, 3, 2, 3), Tensor.randn(rng, 2, 2), Tensor.randn(rng, 6, 3), Tensor.randn(rng, 6, 2),
                    Tensor.randn(rng, 6), Tensor.randn(rng, 6));
        }
    }

    @Test
    void stackedBidirectionalLayersGradcheck() {
        Rng rng = new Rng(14);
        LSTM lstm = new LSTM(2, 2, 2, true, true, rng);
        GRU gru = new GRU(2, 2, 2, true, true, rng).batchFirst(true);
        Tensor lengths = Tensor.vector(3, 2);
        gradcheck("LSTM layer", t -> {
            RnnOutput r = lstm.forward(t[0], new RnnState(t[1], t[2]), lengths);
            return flat(r.output(), r.hN(), r.cN());
        }, Tensor.randn(rng, 3, 2, 2), Tensor.randn(rng, 4, 2, 2), Tensor.randn(rng, 4, 2, 2));
        gradcheck("GRU layer", t -> {
            RnnOutput r = gru.forward(t[0], RnnState.of(t[1]), lengths);
            return flat(r.output(), r.hN());
        }, Tensor.randn(rng, 2, 3, 2), Tensor.randn(rng, 4, 2, 2));
    }

    // ------------------------------------------------------------------------------------------------ bad input

    private static void assertMessage(Class<? extends Throwable> type, Runnable r, String... parts) {
        Throwable e = assertThrows(type, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
    }

    @Test
    void badInputIsReportedWithLayerAndShapes() {
        LSTM lstm = new LSTM(3, 4, 2, true, false, new Rng(15));
        Sequential net = new Sequential(new GRU(3, 4));
        Tensor x = Tensor.zeros(5, 2, 3);
        assertMessage(ShapeException.class, () -> lstm.forward(Tensor.zeros(5, 2, 7)), "LSTM", "[seq, batch, 3]", "[5, 2, 7]");
        assertMessage(ShapeException.class, () -> net.forward(Tensor.zeros(5, 2, 7)), "0 (GRU)", "[5, 2, 7]");
        assertMessage(ShapeException.class, () -> lstm.forward(Tensor.zeros(1, 5, 2, 3)), "LSTM", "[1, 5, 2, 3]");
        assertMessage(ShapeException.class, () -> lstm.batchFirst(true).forward(Tensor.zeros(2, 5, 4)), "[batch, seq, 3]", "[2, 5, 4]");
        lstm.batchFirst(false);
        assertMessage(ShapeException.class, () -> lstm.forward(x, new RnnState(Tensor.zeros(2, 2, 5), null)), "LSTM", "h0", "[2, 2, 4]", "[2, 2, 5]");
        assertMessage(ShapeException.class, () -> lstm.forward(x, new RnnState(null, Tensor.zeros(1, 2, 4))), "LSTM", "c0", "[2, 2, 4]", "[1, 2, 4]");
        assertMessage(ShapeException.class, () -> lstm.forward(x, new RnnState(Tensor.zeros(2, 3, 4), null)), "h0", "[2, 2, 4]", "[2, 3, 4]");
        assertMessage(IllegalArgumentException.class, () -> new GRU(3, 4).forward(x, new RnnState(null, Tensor.zeros(1, 2, 4))), "GRU", "cell state");
        assertMessage(IllegalArgumentException.class, () -> lstm.forward(x, null, Tensor.vector(6, 2)), "LSTM", "length 6", "[0, 5]");
        assertMessage(IllegalArgumentException.class, () -> lstm.forward(x, null, Tensor.vector(-1, 2)), "length -1");
        assertMessage(IllegalArgumentException.class, () -> lstm.forward(x, null, Tensor.vector(1.5f, 2)), "length 1.5");
        assertMessage(ShapeException.class, () -> lstm.forward(x, null, Tensor.vector(5, 2, 1)), "LSTM", "lengths", "[2]", "[3]");
        assertMessage(ShapeException.class, () -> lstm.forwardMasked(x, null, Tensor.ones(5, 2)), "mask", "[2, 5]", "[5, 2]");
        assertMessage(IllegalArgumentException.class, () -> lstm.forwardMasked(x, null, Tensor.full(0.5f, 2, 5)), "mask values");
        // unbatched input: [seq, in] with states [layers, H]
        assertMessage(ShapeException.class, () -> lstm.forward(Tensor.zeros(5, 3), new RnnState(Tensor.zeros(2, 2, 4), null)), "h0", "[2, 4]", "[2, 2, 4]");
        assertMessage(ShapeException.class, () -> new LSTMCell(3, 4).forward(Tensor.zeros(2, 5)), "LSTMCell", "[batch, 3]", "[2, 5]");
        assertMessage(ShapeException.class, () -> new LSTMCell(3, 4).forward(Tensor.zeros(2, 3), new RnnState(Tensor.zeros(2, 4), Tensor.zeros(2, 3))), "LSTMCell", "state c", "[2, 4]", "[2, 3]");
        assertMessage(ShapeException.class, () -> new GRUCell(3, 4).forward(Tensor.zeros(2, 3), Tensor.zeros(3, 4)), "GRUCell", "state h", "[2, 4]", "[3, 4]");
        assertMessage(IllegalArgumentException.class, () -> new LSTM(3, 0), "LSTM", "hiddenSize=0");
        assertMessage(IllegalArgumentException.class, () -> new LSTM(3, 4).dropout(1.5), "dropout");
    }
}
