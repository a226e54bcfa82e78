package dev.lamina.loss;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/** A loss: compares a model's output with a target and returns a tensor to call backward() on. */
public interface Loss {
    /** The loss of {@code input} against {@code target}; shapes as each loss documents. */
    Tensor forward(Tensor input, Tensor target);

    /** Rejects NaN or infinite values in a loss input with the op's name and the shape. */
    static void requireFinite(String op, String what, Tensor t) {
        float[] v = t.toArray();
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException(op + ": " + what + " of shape " + Shape.str(t.shape()) + " contains " + v[i] + " at flat index " + i);
            }
        }
    }

    /** Rejects an input/target pair whose shapes differ. */
    static void requireSameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new ShapeException(op + ": input shape " + Shape.str(input.shape()) + " and target shape " + Shape.str(target.shape()) + " differ");
        }
    }
}
