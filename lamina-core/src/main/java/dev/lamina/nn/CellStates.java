package dev.lamina.nn;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/** Shape checks of the states given to {@link LSTMCell} and {@link GRUCell}. */
final class CellStates {
    private CellStates() {}

    /** The state as [batch, H] (given as [H] for unbatched input), or null. */
    static Tensor check(Module cell, String name, Tensor s, boolean unbatched, int batch, int hidden) {
        if (s == null) return null;
        boolean ok = unbatched ? s.dim() == 1 && s.size(0) == hidden : s.dim() == 2 && s.size(0) == batch && s.size(1) == hidden;
        if (!ok) {
            String exp = unbatched ? "[" + hidden + "]" : "[" + batch + ", " + hidden + "]";
            throw new ShapeException(cell.describe() + ": expected state " + name + " of shape " + exp + " (batch, hidden), got " + Shape.str(s.shape()));
        }
        return unbatched ? s.reshape(1, hidden) : s;
    }
}
