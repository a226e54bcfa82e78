package dev.lamina.backend.cpu;

import dev.lamina.backend.RecurrentOps.DenseInput;
import dev.lamina.backend.TensorOps;
import dev.lamina.backend.RecurrentOps.EmbeddedInput;
import dev.lamina.backend.RecurrentOps.SequenceInput;
import dev.lamina.kernels.Gemm;
import dev.lamina.tensor.Tensor;

/**
 * The input side of the CPU's fused recurrent ops: the gate pre-activations {@code gates[seq·batch, G] = b + x·W_ihᵀ}
 * (time-major rows, G = gates·H) and, backward, the gradients of the input and of W_ih from {@code dGates}.
 *
 * <ul>
 *   <li>dense x [seq, batch, in]: one GEMM forward, one each for dx and dW_ih.</li>
 *   <li>embedded x = table[ids]: {@code x·W_ihᵀ = (table·W_ihᵀ)[ids]}: forward projects the table's V rows once and
 *       copies row ids[r] into row r; backward sums dGates per id, {@code S[v] = Σ_{ids[r]=v} dGates[r]}, and
 *       {@code dTable = S·W_ih}, {@code dW_ih = Sᵀ·table} — products over V rows instead of seq·batch. Forward gives
 *       the bits of the dense path (each element is the same sum in the same order); backward agrees up to float
 *       rounding (the rows of each id are added before the product). The padding row, if any, gets no table
 *       gradient.</li>
 * </ul>
 * One instance per forward or backward call (it keeps S between the two gradients of one backward).
 */
final class CpuSequenceInput {
    private final SequenceInput input;
    private final TensorOps backend;
    final int steps, batch, in;

    CpuSequenceInput(SequenceInput input, TensorOps backend) {
        this.input = input;
        this.backend = backend;
        this.steps = input.steps();
        this.batch = input.batch();
        this.in = input.in();
    }

    int rows() {
        return steps * batch;
    }

    /** gates[rows, g] = bias (a [g] row, or null for zeros) + x·W_ihᵀ, W_ih [g, in] contiguous at wo. */
    void project(float[] gates, int g, float[] bias, float[] w, int wo) {
        switch (input) {
            case DenseInput d -> {
                Tensor x = d.x();
                if (bias != null) RnnKernels.fillRows(gates, rows(), bias);
                Gemm.gemm(rows(), g, in, x.storage(), x.storageOffset(), in, 1, w, wo, 1, in, gates, 0, g, bias != null);
            }
            case EmbeddedInput e -> {
                Tensor table = e.table();
                int vocab = table.size(0);
                float[] projected = new float[vocab * g];   // [V, g] = bias + table · W_ihᵀ
                if (bias != null) RnnKernels.fillRows(projected, vocab, bias);
                Gemm.gemm(vocab, g, in, table.storage(), table.storageOffset(), in, 1, w, wo, 1, in, projected, 0, g, bias != null);
                RnnKernels.gatherRows(projected, e.ids(), g, gates);
            }
        }
    }

    /** S [V, g]: dGates rows summed per id, rows in order; kept for the second gradient of the same backward. */
    private float[] perId(EmbeddedInput e, float[] dGates, int g) {
        if (perIdOf != dGates) {
            perId = new float[e.table().size(0) * g];
            RnnKernels.scatterAddRows(dGates, e.ids(), g, perId);
            perIdOf = dGates;
        }
        return perId;
    }

    private float[] perId, perIdOf;

    /** The gradient of {@link SequenceInput#tensor()} from dGates [rows, g] (W_ih [g, in] contiguous at wo). */
    Tensor inputGrad(float[] dGates, int g, float[] w, int wo) {
        switch (input) {
            case DenseInput d -> {
                float[] out = new float[rows() * in];
                Gemm.gemm(rows(), in, g, dGates, 0, g, 1, w, wo, in, 1, out, 0, in, false);   // dx = dGates · W_ih
                return backend.wrap(out, steps, batch, in);
            }
            case EmbeddedInput e -> {
                int vocab = e.table().size(0);
                float[] s = perId(e, dGates, g);
                if (e.paddingIdx() >= 0) {
                    s = s.clone();
                    java.util.Arrays.fill(s, e.paddingIdx() * g, (e.paddingIdx() + 1) * g, 0f);
                }
                float[] out = new float[vocab * in];
                Gemm.gemm(vocab, in, g, s, 0, g, 1, w, wo, in, 1, out, 0, in, false);   // dTable = S · W_ih
                return backend.wrap(out, vocab, in);
            }
        }
    }

    /** dW_ih [g, in] from dGates [rows, g]. */
    Tensor weightGrad(float[] dGates, int g) {
        float[] out = new float[g * in];
        switch (input) {
            case DenseInput d -> {
                Tensor x = d.x();
                Gemm.gemm(g, in, rows(), dGates, 0, 1, g, x.storage(), x.storageOffset(), in, 1, out, 0, in, false);   // dGatesᵀ · x
            }
            case EmbeddedInput e -> {
                Tensor table = e.table();
                float[] s = perId(e, dGates, g);
                Gemm.gemm(g, in, table.size(0), s, 0, 1, g, table.storage(), table.storageOffset(), in, 1, out, 0, in, false);   // Sᵀ · table
            }
        }
        return backend.wrap(out, g, in);
    }
}
