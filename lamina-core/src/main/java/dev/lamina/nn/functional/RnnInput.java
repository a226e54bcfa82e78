package dev.lamina.nn.functional;

import dev.lamina.kernels.Gemm;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * The input side of a fused recurrent op ({@link LstmOp}, {@link GruOp}): the gate pre-activations
 * {@code gates[seq·batch, G] = b + x·W_ihᵀ} (time-major rows, G = gates·H) and, backward, the gradients of the input
 * and of W_ih from {@code dGates}.
 *
 * <ul>
 *   <li>{@link #dense}: x [seq, batch, in]. One GEMM forward, one each for dx and dW_ih.</li>
 *   <li>{@link #embedded}: x = table[ids], an embedding lookup feeding the layer. Then
 *       {@code x·W_ihᵀ = (table·W_ihᵀ)[ids]}: forward projects the table's V rows once and copies row ids[r] into
 *       row r; backward sums dGates per id, {@code S[v] = Σ_{ids[r]=v} dGates[r]}, and {@code dTable = S·W_ih},
 *       {@code dW_ih = Sᵀ·table} — products over V rows instead of seq·batch (a character model: 65 rows instead of
 *       2048). Forward gives the bits of the dense path (each element is the same sum in the same order); backward
 *       agrees up to float rounding (the rows of each id are added before the product). The padding row, if any,
 *       gets no table gradient, as {@link EmbeddingOp}.</li>
 * </ul>
 */
public abstract sealed class RnnInput {
    final int steps, batch, in;

    private RnnInput(int steps, int batch, int in) {
        this.steps = steps;
        this.batch = batch;
        this.in = in;
    }

    /** x [seq, batch, in] (time-major). */
    public static RnnInput dense(Tensor x) {
        if (x.dim() != 3) throw new ShapeException("recurrent op: input " + Shape.str(x.shape()) + " is not [seq, batch, in]");
        return new Dense(x.contiguous());
    }

    /**
     * x = table[ids] without building it.
     *
     * @param who the embedding layer, for error messages
     * @param table [V, in], the embedding's weight
     * @param ids [seq, batch] token ids (whole numbers in [0, V)), time-major
     * @param paddingIdx the table row that gets no gradient, or -1
     */
    public static RnnInput embedded(String who, Tensor table, Tensor ids, int paddingIdx) {
        if (table.dim() != 2) throw new ShapeException(who + ": weight must be [num, dim], got " + Shape.str(table.shape()));
        if (ids.dim() != 2) throw new ShapeException(who + ": token ids " + Shape.str(ids.shape()) + " are not [seq, batch]");
        return new Embedded(table.contiguous(), EmbeddingOp.tokenIds(who, ids, table.size(0)), ids.size(0), ids.size(1), paddingIdx);
    }

    int rows() {
        return steps * batch;
    }

    /** The tensor the op's gradient flows to: x, or the table. */
    abstract Tensor tensor();

    /** The input shape for error messages. */
    abstract String describe();

    /** gates[rows, g] = bias (a [g] row, or null for zeros) + x·W_ihᵀ, W_ih [g, in] contiguous at wo. */
    abstract void project(float[] gates, int g, float[] bias, float[] w, int wo);

    /** The gradient of {@link #tensor()} from dGates [rows, g] (W_ih [g, in] contiguous at wo). */
    abstract Tensor inputGrad(float[] dGates, int g, float[] w, int wo);

    /** dW_ih [g, in] from dGates [rows, g]. */
    abstract Tensor weightGrad(float[] dGates, int g);

    private static final class Dense extends RnnInput {
        private final Tensor x;

        Dense(Tensor x) {
            super(x.size(0), x.size(1), x.size(2));
            this.x = x;
        }

        @Override
        Tensor tensor() {
            return x;
        }

        @Override
        String describe() {
            return Shape.str(x.shape());
        }

        @Override
        void project(float[] gates, int g, float[] bias, float[] w, int wo) {
            if (bias != null) RnnKernels.fillRows(gates, rows(), bias);
            Gemm.gemm(rows(), g, in, x.storage(), x.storageOffset(), in, 1, w, wo, 1, in, gates, 0, g, bias != null);
        }

        @Override
        Tensor inputGrad(float[] dGates, int g, float[] w, int wo) {
            float[] d = new float[rows() * in];
            Gemm.gemm(rows(), in, g, dGates, 0, g, 1, w, wo, in, 1, d, 0, in, false);   // dx = dGates · W_ih
            return Tensor.of(d, steps, batch, in);
        }

        @Override
        Tensor weightGrad(float[] dGates, int g) {
            float[] d = new float[g * in];
            Gemm.gemm(g, in, rows(), dGates, 0, 1, g, x.storage(), x.storageOffset(), in, 1, d, 0, in, false);   // dGatesᵀ · x
            return Tensor.of(d, g, in);
        }
    }

    private static final class Embedded extends RnnInput {
        private final Tensor table;
        private final int[] ids;
        private final int vocab, paddingIdx;

        Embedded(Tensor table, int[] ids, int steps, int batch, int paddingIdx) {
            super(steps, batch, table.size(1));
            this.table = table;
            this.ids = ids;
            this.vocab = table.size(0);
            this.paddingIdx = paddingIdx;
        }

        @Override
        Tensor tensor() {
            return table;
        }

        @Override
        String describe() {
            return "[" + steps + ", " + batch + ", " + in + "] (embedding lookup of a " + Shape.str(table.shape()) + " table)";
        }

        @Override
        void project(float[] gates, int g, float[] bias, float[] w, int wo) {
            float[] projected = new float[vocab * g];   // [V, g] = bias + table · W_ihᵀ
            if (bias != null) RnnKernels.fillRows(projected, vocab, bias);
            Gemm.gemm(vocab, g, in, table.storage(), table.storageOffset(), in, 1, w, wo, 1, in, projected, 0, g, bias != null);
            RnnKernels.gatherRows(projected, ids, g, gates);
        }

        /** S [V, g]: dGates rows summed per id, rows in order; kept for the second gradient of the same backward. */
        private float[] perId(float[] dGates, int g) {
            if (perIdOf != dGates) {
                perId = new float[vocab * g];
                RnnKernels.scatterAddRows(dGates, ids, g, perId);
                perIdOf = dGates;
            }
            return perId;
        }

        private float[] perId, perIdOf;

        @Override
        Tensor inputGrad(float[] dGates, int g, float[] w, int wo) {
            float[] s = perId(dGates, g);
            if (paddingIdx >= 0) {
                s = s.clone();
                java.util.Arrays.fill(s, paddingIdx * g, (paddingIdx + 1) * g, 0f);
            }
            float[] d = new float[vocab * in];
            Gemm.gemm(vocab, in, g, s, 0, g, 1, w, wo, in, 1, d, 0, in, false);   // dTable = S · W_ih
            return Tensor.of(d, vocab, in);
        }

        @Override
        Tensor weightGrad(float[] dGates, int g) {
            float[] s = perId(dGates, g), d = new float[g * in];
            Gemm.gemm(g, in, vocab, s, 0, 1, g, table.storage(), table.storageOffset(), in, 1, d, 0, in, false);   // Sᵀ · table
            return Tensor.of(d, g, in);
        }
    }
}
