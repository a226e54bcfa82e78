package dev.lamina.loss;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/** A loss: compares a model's output with a target and returns a tensor to call backward() on. */
public interface Loss {
    /** The loss of {@code input} against {@code target}; shapes as each loss documents. */
    Tensor forward(Tensor input, Tensor target);

    /**
     * Class-index targets as floats: integer-valued F32 as they are; I64 checked first against [0, classes)
     * (ignoreIndex aside), so a value beyond float's exact range gets the range error, not a conversion error, and the
     * floats returned are exact. Any other dtype is refused.
     */
    static float[] classTargets(String op, Tensor target, int classes, int ignoreIndex, String context) {
        if (target.dtype() == dev.lamina.tensor.DType.I64) {
            long[] v = target.toLongArray();
            for (int i = 0; i < v.length; i++) {
                if (v[i] != ignoreIndex && (v[i] < 0 || v[i] >= classes)) {
                    throw new IndexOutOfBoundsException(op + ": target class " + v[i] + " at position " + i + " is out of range [0, " + classes + ") for " + context);
                }
            }
        } else if (target.dtype() != dev.lamina.tensor.DType.F32) {
            throw new IllegalArgumentException(op + ": class-index targets must be I64 (or integer-valued F32), got " + target.dtype() + "; convert with .to(DType.I64)");
        }
        return target.toArray();
    }

    /** Rejects NaN or infinite values in a loss input with the op's name and the shape. */
    static void requireFinite(String op, String what, Tensor t) {
        if (!t.hasNonFinite()) return;   // the backend's check; the values are read only to name the bad one
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
