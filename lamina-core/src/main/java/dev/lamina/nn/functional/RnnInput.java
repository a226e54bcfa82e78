package dev.lamina.nn.functional;

import dev.lamina.backend.RecurrentOps;
import dev.lamina.backend.RecurrentOps.DenseInput;
import dev.lamina.backend.RecurrentOps.EmbeddedInput;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * The input of a fused recurrent op ({@link LstmOp}, {@link GruOp}), checked:
 *
 * <ul>
 *   <li>{@link #dense}: x [seq, batch, in].</li>
 *   <li>{@link #embedded}: x = table[ids], an embedding lookup feeding the layer, never built: the backend may
 *       project the table's V rows once instead of seq·batch rows (see {@link RecurrentOps.EmbeddedInput}). The
 *       padding row, if any, gets no table gradient, as {@link EmbeddingOp}.</li>
 * </ul>
 */
public final class RnnInput {
    final RecurrentOps.SequenceInput input;
    final int steps, batch, in;

    private RnnInput(RecurrentOps.SequenceInput input) {
        this.input = input;
        this.steps = input.steps();
        this.batch = input.batch();
        this.in = input.in();
    }

    /** x [seq, batch, in] (time-major). */
    public static RnnInput dense(Tensor x) {
        if (x.dim() != 3) throw new ShapeException("recurrent op: input " + Shape.str(x.shape()) + " is not [seq, batch, in]");
        return new RnnInput(new DenseInput(x.contiguous()));
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
        return new RnnInput(new EmbeddedInput(table.contiguous(), EmbeddingOp.tokenIds(who, ids, table.size(0)), ids.size(0), ids.size(1), paddingIdx));
    }

    /** The tensor the op's gradient flows to: x, or the table. */
    Tensor tensor() {
        return input.tensor();
    }

    /** The input shape for error messages. */
    String describe() {
        return switch (input) {
            case DenseInput d -> Shape.str(d.x().shape());
            case EmbeddedInput e -> "[" + steps + ", " + batch + ", " + in + "] (embedding lookup of a " + Shape.str(e.table().shape()) + " table)";
        };
    }
}
