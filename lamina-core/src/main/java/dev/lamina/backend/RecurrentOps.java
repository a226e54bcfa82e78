package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One direction of one LSTM or GRU layer over a whole sequence (PyTorch's equations), for
 * {@code nn.functional.LstmOp} and {@code nn.functional.GruOp}: forward, returning the outputs and what the backend
 * keeps for backward ({@link Saved}), and backward, returning the gradients of every input ({@link RecurrentGrads}).
 * The ops check shapes and record the tape node; these methods compute values only.
 *
 * <pre>
 *   LSTM (gates i, f, g, o):  c' = f·c + i·g,  h' = o·tanh(c')
 *   GRU  (gates r, z, n):     n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),  h' = (1 − z)·n + z·h
 * </pre>
 *
 * <p>The default bodies run the equations step by step with tensor ops; their backward runs that forward again on
 * detached inputs with the tape on and back-propagates through it.
 */
public interface RecurrentOps extends TensorOps {
    /** The input of the layer: dense x [seq, batch, in] or an embedding lookup x = table[ids]. */
    sealed interface SequenceInput permits DenseInput, EmbeddedInput {
        int steps();

        int batch();

        int in();

        /** The tensor the input gradient flows to: x, or the table. */
        Tensor tensor();
    }

    /** x [seq, batch, in], contiguous, time-major. */
    record DenseInput(Tensor x) implements SequenceInput {
        public int steps() {
            return x.size(0);
        }

        public int batch() {
            return x.size(1);
        }

        public int in() {
            return x.size(2);
        }

        public Tensor tensor() {
            return x;
        }
    }

    /**
     * x = table[ids] without building it: {@code table} [V, in] contiguous, {@code ids} the seq·batch time-major row
     * numbers (checked to be in range), {@code paddingIdx} the table row that gets no gradient, or -1.
     */
    record EmbeddedInput(Tensor table, int[] ids, int steps, int batch, int paddingIdx) implements SequenceInput {
        public int in() {
            return table.size(1);
        }

        public Tensor tensor() {
            return table;
        }
    }

    /**
     * The weights of one layer and direction, G = 4 (LSTM) or 3 (GRU) gates: {@code wIh} [G·H, in], {@code wHh}
     * [G·H, H], biases [G·H] or null; all contiguous.
     */
    record RecurrentWeights(Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        public int hidden() {
            return wHh.size(1);
        }
    }

    /**
     * Constant LSTM weights a backend prepared once for repeated inference (on the CPU: W_hhᵀ packed for its GEMM and
     * the two biases summed), so no run prepares them again. The weights must not change afterwards.
     */
    interface PreparedLstm {
        RecurrentWeights weights();
    }

    /** Weights prepared by keeping them as they are. */
    record PlainLstm(RecurrentWeights weights) implements PreparedLstm {}

    /**
     * How the sequence runs: {@code reverse} from the last step to the first; {@code mask} [seq·batch] 0/1
     * time-major, or null: where 0 the step is skipped for that row (state carried over, output 0).
     */
    record Direction(boolean reverse, float[] mask) {}

    /**
     * What a backend kept from forward for backward, in its own layout (flat tensors); unused fields are null. The
     * default bodies keep nothing and recompute.
     *
     * @param states the hidden states of every step
     * @param cells the LSTM cell states (null for GRU)
     * @param tanhCells tanh of the LSTM cell states (null for GRU)
     * @param gates the activated gates (LSTM) or the input projections (GRU)
     * @param hiddenGates the hidden projections h·W_hhᵀ (GRU; null for LSTM)
     */
    record Saved(Tensor states, Tensor cells, Tensor tanhCells, Tensor gates, Tensor hiddenGates) {
        public static final Saved NOTHING = new Saved(null, null, null, null, null);
    }

    /** output [seq, batch, H], hN and cN [batch, H] (cN null for GRU), and what backward needs. */
    record RecurrentResult(Tensor output, Tensor hN, Tensor cN, Saved saved) {}

    /** Gradients of the input tensor ({@link SequenceInput#tensor()}), h0, c0 and the weights; null where not asked for. */
    record RecurrentGrads(Tensor input, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {}

    /**
     * LSTM forward over the sequence.
     *
     * @param h0 [batch, H] contiguous, or null (zeros)
     * @param c0 [batch, H] contiguous, or null (zeros)
     */
    default RecurrentResult lstmForward(SequenceInput x, Tensor h0, Tensor c0, RecurrentWeights w, Direction dir) {
        try (var s = Autograd.noGrad()) {
            Tensor[] r = runSequence(true, inputTensor(x), h0, c0, w, dir);
            return new RecurrentResult(r[0], r[1], r[2], Saved.NOTHING);
        }
    }

    /** Prepares constant LSTM weights for {@link #lstmInference}; by default keeps them as they are. */
    default PreparedLstm prepareLstm(RecurrentWeights w) {
        return new PlainLstm(w);
    }

    /**
     * {@link #lstmForward} with weights {@link #prepareLstm prepared} once, for inference: the result is the same and
     * nothing is saved for a backward pass (its {@code saved} is {@link Saved#NOTHING}).
     */
    default RecurrentResult lstmInference(SequenceInput x, Tensor h0, Tensor c0, PreparedLstm w, Direction dir) {
        RecurrentResult r = lstmForward(x, h0, c0, w.weights(), dir);
        return new RecurrentResult(r.output(), r.hN(), r.cN(), Saved.NOTHING);
    }

    /**
     * LSTM backward from the gradients of output [seq, batch, H], hN and cN [batch, H] (each null when the loss does
     * not reach it). A gradient is computed for each of x's tensor, h0, c0 and the weights that requires grad.
     */
    default RecurrentGrads lstmBackward(SequenceInput x, Tensor h0, Tensor c0, RecurrentWeights w, Direction dir, Saved saved,
                                        Tensor gOut, Tensor gHn, Tensor gCn) {
        return recompute(true, x, h0, c0, w, dir, gOut, gHn, gCn);
    }

    /** GRU forward over the sequence; h0 [batch, H] contiguous or null (zeros). The result's cN is null. */
    default RecurrentResult gruForward(SequenceInput x, Tensor h0, RecurrentWeights w, Direction dir) {
        try (var s = Autograd.noGrad()) {
            Tensor[] r = runSequence(false, inputTensor(x), h0, null, w, dir);
            return new RecurrentResult(r[0], r[1], null, Saved.NOTHING);
        }
    }

    /** GRU backward from the gradients of output and hN (each null when the loss does not reach it). */
    default RecurrentGrads gruBackward(SequenceInput x, Tensor h0, RecurrentWeights w, Direction dir, Saved saved, Tensor gOut, Tensor gHn) {
        return recompute(false, x, h0, null, w, dir, gOut, gHn, null);
    }

    // ------------------------------------------------------------------------------------------------ defaults

    /** x as a [seq, batch, in] tensor (the lookup done, on the tape when grad mode is on). */
    private Tensor inputTensor(SequenceInput x) {
        return switch (x) {
            case DenseInput d -> d.x();
            case EmbeddedInput e -> e.table().indexSelect(0, e.ids()).reshape(e.steps(), e.batch(), e.in());
        };
    }

    /** The equations step by step with tensor ops (on the tape when grad mode is on): {output, hN, cN or null}. */
    private Tensor[] runSequence(boolean lstm, Tensor x, Tensor h0, Tensor c0, RecurrentWeights w, Direction dir) {
        int steps = x.size(0), batch = x.size(1), in = x.size(2), hid = w.hidden(), gates = lstm ? 4 : 3;
        Tensor xp = x.reshape(steps * batch, in).matmul(w.wIh().t());   // [seq·batch, G·H]
        if (w.bIh() != null) xp = xp.add(w.bIh());
        xp = xp.reshape(steps, batch, gates * hid);
        Tensor h = h0 != null ? h0 : wrap(new float[batch * hid], batch, hid);
        Tensor c = !lstm ? null : c0 != null ? c0 : wrap(new float[batch * hid], batch, hid);
        Tensor zero = wrap(new float[1], 1, 1);
        Tensor[] outs = new Tensor[steps];
        for (int s = 0; s < steps; s++) {
            int t = dir.reverse() ? steps - 1 - s : s;
            Tensor gi = xp.select(0, t);
            Tensor gh = h.matmul(w.wHh().t());
            if (w.bHh() != null) gh = gh.add(w.bHh());
            Tensor hNew, cNew = null;
            if (lstm) {
                List<Tensor> a = gi.add(gh).chunk(4, 1);
                Tensor i = a.get(0).sigmoid(), f = a.get(1).sigmoid(), g = a.get(2).tanh(), o = a.get(3).sigmoid();
                cNew = f.mul(c).add(i.mul(g));
                hNew = o.mul(cNew.tanh());
            } else {
                List<Tensor> xi = gi.chunk(3, 1), hh = gh.chunk(3, 1);
                Tensor r = xi.get(0).add(hh.get(0)).sigmoid(), z = xi.get(1).add(hh.get(1)).sigmoid();
                Tensor n = xi.get(2).add(r.mul(hh.get(2))).tanh();
                hNew = z.rsub(1f).mul(n).add(z.mul(h));
            }
            if (dir.mask() == null) {
                outs[t] = hNew;
                h = hNew;
                c = cNew;
            } else {
                Tensor m = wrap(Arrays.copyOfRange(dir.mask(), t * batch, (t + 1) * batch), batch, 1);
                outs[t] = Tensor.where(m, hNew, zero);
                h = Tensor.where(m, hNew, h);
                if (lstm) c = Tensor.where(m, cNew, c);
            }
        }
        return new Tensor[] {Tensor.stack(Arrays.asList(outs), 0).contiguous(), h.contiguous(), lstm ? c.contiguous() : null};
    }

    /** Backward by running the step-by-step forward again on detached leaves with the tape on. */
    private RecurrentGrads recompute(boolean lstm, SequenceInput x, Tensor h0, Tensor c0, RecurrentWeights w, Direction dir, Tensor gOut, Tensor gHn,
                                     Tensor gCn) {
        Tensor[] orig = {x.tensor(), h0, c0, w.wIh(), w.wHh(), w.bIh(), w.bHh()};
        Tensor[] leaf = new Tensor[orig.length];
        for (int i = 0; i < orig.length; i++) leaf[i] = orig[i] == null ? null : orig[i].detach().requiresGrad(orig[i].requiresGrad());
        try (var s = Autograd.setGradEnabled(true)) {
            SequenceInput xl = switch (x) {
                case DenseInput d -> new DenseInput(leaf[0]);
                case EmbeddedInput e -> new EmbeddedInput(leaf[0], e.ids(), e.steps(), e.batch(), e.paddingIdx());
            };
            Tensor[] r = runSequence(lstm, inputTensor(xl), leaf[1], leaf[2], new RecurrentWeights(leaf[3], leaf[4], leaf[5], leaf[6]), dir);
            List<Tensor> terms = new ArrayList<>();
            Tensor[] grads = {gOut, gHn, gCn};
            for (int i = 0; i < 3; i++) if (grads[i] != null && r[i] != null && r[i].requiresGrad()) terms.add(r[i].mul(grads[i].detach()).sum());
            if (!terms.isEmpty()) {
                Tensor loss = terms.get(0);
                for (int i = 1; i < terms.size(); i++) loss = loss.add(terms.get(i));
                loss.backward();
            }
        }
        Tensor[] out = new Tensor[orig.length];
        for (int i = 0; i < orig.length; i++) {
            if (leaf[i] == null || !leaf[i].requiresGrad()) continue;
            out[i] = leaf[i].grad() != null ? leaf[i].grad() : wrap(new float[leaf[i].numel()], leaf[i].shape());
        }
        if (out[0] != null && x instanceof EmbeddedInput e && e.paddingIdx() >= 0) {
            try (var s = Autograd.noGrad()) {   // the padding row gets no gradient
                Tensor g = out[0].contiguous();
                fill_(g.narrow(0, e.paddingIdx(), 1), 0f);
                out[0] = g;
            }
        }
        return new RecurrentGrads(out[0], out[1], out[2], out[3], out[4], out[5], out[6]);
    }
}
