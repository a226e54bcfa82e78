package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.floatInput;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.nn.functional.GruOp;
import dev.lamina.nn.functional.LstmOp;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX LSTM (gates i, o, f, c) and GRU (gates z, r, h) for inference, forward / reverse / bidirectional, with the
 * default activations. Each direction runs Lamina's fused {@link LstmOp} / {@link GruOp} (PyTorch's equations) with
 * the gate blocks reordered to PyTorch's (i, f, g, o) and (r, z, n), and {@code sequence_lens} as a prefix mask.
 * Two ONNX variants PyTorch does not have, LSTM peepholes and GRU with {@code linear_before_reset=0}, run step by
 * step with tensor ops instead (full-length sequences only).
 */
final class RnnOps {
    private RnnOps() {}

    static void registerAll() {
        register("LSTM", 3, 8, 3, (n, in) -> run(n, in, true));
        register("GRU", 3, 6, 2, (n, in) -> run(n, in, false));
    }

    private static Tensor[] run(GraphNode n, Tensor[] in, boolean lstm) {
        int gates = lstm ? 4 : 3;
        List<String> acts = n.strings("activations");
        List<String> dflt = lstm ? List.of("Sigmoid", "Tanh", "Tanh") : List.of("Sigmoid", "Tanh");
        if (acts != null && !acts.isEmpty()) {
            List<String> expect = new ArrayList<>();
            while (expect.size() < acts.size()) expect.addAll(dflt);
            if (!acts.equals(expect)) throw n.error("activations " + acts + " are not supported (only the defaults " + dflt + ")");
        }
        if (n.has("clip")) throw n.error("attribute 'clip' is not supported");
        if (lstm && n.i("input_forget", 0) != 0) throw n.error("input_forget=1 is not supported");
        String direction = n.s("direction", "forward");
        int dirs = switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw n.error("direction '" + direction + "' is not supported");
        };
        boolean batchFirst = n.i("layout", 0) != 0;
        Tensor x = floatInput(n, in[0], "X");
        if (x.dim() != 3) throw n.error("X must be 3-D, got " + Shape.str(x.shape()));
        if (batchFirst) x = x.transpose(0, 1);
        int seq = x.size(0), batch = x.size(1), inSize = x.size(2);
        Tensor w = floatInput(n, in[1], "W"), r = floatInput(n, in[2], "R");
        int hidden = w.dim() == 3 ? w.size(1) / gates : -1;
        if (n.has("hidden_size") && n.i("hidden_size", 0) != hidden) throw n.error("hidden_size " + n.i("hidden_size", 0) + " does not match W " + Shape.str(w.shape()));
        expect(n, "W", w, dirs, gates * hidden, inSize);
        expect(n, "R", r, dirs, gates * hidden, hidden);
        Tensor b = opt(n, in, 3, "B");
        if (b != null) expect(n, "B", b, dirs, 2 * gates * hidden);
        Tensor lens = in.length > 4 ? in[4] : null;
        float[] mask = null;
        if (lens != null) {
            long[] l = Ops.longs(n, lens, "sequence_lens");
            if (l.length != batch) throw n.error("sequence_lens has " + l.length + " values for a batch of " + batch);
            boolean full = true;
            mask = new float[seq * batch];
            for (int row = 0; row < batch; row++) {
                if (l[row] < 0 || l[row] > seq) throw n.error("sequence length " + l[row] + " is outside [0, " + seq + "]");
                full &= l[row] == seq;
                for (int t = 0; t < l[row]; t++) mask[t * batch + row] = 1f;
            }
            if (full) mask = null;
        }
        Tensor h0 = opt(n, in, 5, "initial_h");
        Tensor c0 = lstm ? opt(n, in, 6, "initial_c") : null;
        Tensor peep = lstm ? opt(n, in, 7, "P") : null;
        if (batchFirst) {
            if (h0 != null) h0 = h0.transpose(0, 1);
            if (c0 != null) c0 = c0.transpose(0, 1);
        }
        if (h0 != null) expect(n, "initial_h", h0, dirs, batch, hidden);
        if (c0 != null) expect(n, "initial_c", c0, dirs, batch, hidden);
        if (peep != null) expect(n, "P", peep, dirs, 3 * hidden);
        boolean linearBeforeReset = !lstm && n.i("linear_before_reset", 0) != 0;
        boolean fused = lstm ? peep == null : linearBeforeReset;
        if (!fused && mask != null) throw n.error("sequence_lens shorter than the sequence need " + (lstm ? "an LSTM without peepholes" : "linear_before_reset=1"));

        Prepared prepared = null;
        if (fused) {
            prepared = n.preparedRnn;
            if (prepared == null || !prepared.isFor(w, r, b)) n.preparedRnn = prepared = Prepared.of(w, r, b, dirs, hidden, lstm);
        }
        List<Tensor> ys = new ArrayList<>(), hs = new ArrayList<>(), cs = new ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            if (fused) {
                Tensor hd = h0 == null ? null : h0.select(0, d).contiguous();
                if (lstm) {
                    LstmOp.Result res = LstmOp.lstm(x.contiguous(), hd, c0 == null ? null : c0.select(0, d).contiguous(), prepared.lstm[d], mask, reverse);
                    ys.add(res.output());
                    hs.add(res.hN());
                    cs.add(res.cN());
                } else {
                    GruOp.Result res = GruOp.gru(x.contiguous(), hd, prepared.wIh[d], prepared.wHh[d], prepared.bIh[d], prepared.bHh[d], mask, reverse);
                    ys.add(res.output());
                    hs.add(res.hN());
                }
                continue;
            }
            Tensor wd = w.select(0, d), rd = r.select(0, d);
            Tensor wb = b == null ? null : b.select(0, d).narrow(0, 0, gates * hidden);
            Tensor rb = b == null ? null : b.select(0, d).narrow(0, gates * hidden, gates * hidden);
            // input projections of every step at once: [seq·batch, in] · Wᵀ (+ Wb)
            Tensor xw = x.reshape(seq * batch, inSize).matmul(wd.t());
            if (wb != null) xw = xw.add(wb);
            xw = xw.reshape(seq, batch, gates * hidden);
            Tensor h = h0 == null ? Tensor.zeros(batch, hidden) : h0.select(0, d).contiguous();
            Tensor c = lstm ? (c0 == null ? Tensor.zeros(batch, hidden) : c0.select(0, d).contiguous()) : null;
            Tensor[] out = new Tensor[seq];
            for (int s = 0; s < seq; s++) {
                int t = reverse ? seq - 1 - s : s;
                Tensor xt = xw.select(0, t);
                Tensor hr = h.matmul(rd.t());
                if (lstm) {
                    Tensor g = xt.add(hr);
                    if (rb != null) g = g.add(rb);
                    Tensor gi = g.narrow(1, 0, hidden), go = g.narrow(1, hidden, hidden);
                    Tensor gf = g.narrow(1, 2 * hidden, hidden), gc = g.narrow(1, 3 * hidden, hidden);
                    if (peep != null) {
                        Tensor pd = peep.select(0, d);
                        gi = gi.add(c.mul(pd.narrow(0, 0, hidden)));
                        gf = gf.add(c.mul(pd.narrow(0, 2 * hidden, hidden)));
                    }
                    Tensor i = gi.sigmoid(), f = gf.sigmoid(), cc = gc.tanh();
                    c = f.mul(c).add(i.mul(cc));
                    if (peep != null) go = go.add(c.mul(peep.select(0, d).narrow(0, hidden, hidden)));
                    h = go.sigmoid().mul(c.tanh());
                } else {
                    if (rb != null) hr = hr.add(rb);
                    Tensor z = xt.narrow(1, 0, hidden).add(hr.narrow(1, 0, hidden)).sigmoid();
                    Tensor rr = xt.narrow(1, hidden, hidden).add(hr.narrow(1, hidden, hidden)).sigmoid();
                    Tensor cand;
                    if (linearBeforeReset) {
                        cand = xt.narrow(1, 2 * hidden, hidden).add(rr.mul(hr.narrow(1, 2 * hidden, hidden))).tanh();
                    } else {
                        Tensor rh = rr.mul(h).matmul(rd.narrow(0, 2 * hidden, hidden).t());
                        if (rb != null) rh = rh.add(rb.narrow(0, 2 * hidden, hidden));
                        cand = xt.narrow(1, 2 * hidden, hidden).add(rh).tanh();
                    }
                    h = z.rsub(1f).mul(cand).add(z.mul(h));
                }
                out[t] = h;
            }
            ys.add(seq == 0 ? Tensor.zeros(0, batch, hidden) : Tensor.stack(Arrays.asList(out), 0));
            hs.add(h);
            if (lstm) cs.add(c);
        }
        Tensor y = Tensor.stack(ys, 1);           // [seq, dirs, batch, hidden]
        Tensor yh = Tensor.stack(hs, 0);          // [dirs, batch, hidden]
        Tensor yc = lstm ? Tensor.stack(cs, 0) : null;
        if (batchFirst) {
            y = y.permute(2, 0, 1, 3).contiguous(); // [batch, seq, dirs, hidden]
            yh = yh.transpose(0, 1).contiguous();
            if (yc != null) yc = yc.transpose(0, 1).contiguous();
        }
        return lstm ? new Tensor[] {y, yh, yc} : new Tensor[] {y, yh};
    }

    /**
     * The weights of each direction in PyTorch's gate order, made from the node's W, R and B (kept to recognise them):
     * the LSTM's also prepared for its kernel ({@link LstmOp#prepare}).
     */
    record Prepared(Tensor w, Tensor r, Tensor b, Tensor[] wIh, Tensor[] wHh, Tensor[] bIh, Tensor[] bHh, LstmOp.Prepared[] lstm) {
        boolean isFor(Tensor w, Tensor r, Tensor b) {
            return this.w == w && this.r == r && this.b == b;
        }

        static Prepared of(Tensor w, Tensor r, Tensor b, int dirs, int hidden, boolean lstm) {
            int gates = lstm ? 4 : 3;
            int[] order = lstm ? LSTM_TO_TORCH : GRU_TO_TORCH;
            Tensor[] wIh = new Tensor[dirs], wHh = new Tensor[dirs], bIh = new Tensor[dirs], bHh = new Tensor[dirs];
            LstmOp.Prepared[] prepared = lstm ? new LstmOp.Prepared[dirs] : null;
            for (int d = 0; d < dirs; d++) {
                wIh[d] = reorder(w.select(0, d), hidden, order);
                wHh[d] = reorder(r.select(0, d), hidden, order);
                if (b != null) {
                    bIh[d] = reorder(b.select(0, d).narrow(0, 0, gates * hidden), hidden, order);
                    bHh[d] = reorder(b.select(0, d).narrow(0, gates * hidden, gates * hidden), hidden, order);
                }
                if (lstm) prepared[d] = LstmOp.prepare(wIh[d], wHh[d], bIh[d], bHh[d]);
            }
            return new Prepared(w, r, b, wIh, wHh, bIh, bHh, prepared);
        }
    }

    /** ONNX LSTM blocks (i, o, f, c) taken in PyTorch's order (i, f, g, o); GRU (z, r, h) as (r, z, n). */
    private static final int[] LSTM_TO_TORCH = {0, 2, 3, 1}, GRU_TO_TORCH = {1, 0, 2};

    /** The gate blocks (of {@code hidden} rows each) of a weight or bias, in another order. */
    private static Tensor reorder(Tensor t, int hidden, int[] order) {
        List<Tensor> blocks = new ArrayList<>();
        for (int g : order) blocks.add(t.narrow(0, g * hidden, hidden));
        return Tensor.cat(blocks, 0).contiguous();
    }

    private static Tensor opt(GraphNode n, Tensor[] in, int k, String what) {
        return in.length > k && in[k] != null ? floatInput(n, in[k], what) : null;
    }

    private static void expect(GraphNode n, String what, Tensor t, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) throw n.error(what + " must have shape " + Shape.str(shape) + ", got " + Shape.str(t.shape()));
    }
}
