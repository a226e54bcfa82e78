package dev.lamina.backend;

import dev.lamina.kernels.Elementwise.Binary;
import dev.lamina.kernels.Elementwise.Unary;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A chain of element-wise operations run as one pass ({@link InferenceOps#run}): slots 0..inputs−1 are the inputs,
 * step j computes slot inputs+j from one or two earlier slots, and the last step's value is the result. Data, not
 * code: the ONNX importer builds one from a region of nodes, and any backend can run it.
 *
 * @param inputs how many input slots
 * @param steps the operations in order
 * @param register per step, the scratch register its value lives in while later steps read it; −1 for the last
 *     step (the output). Registers are reused once their value's last reader has run.
 * @param registers how many registers
 */
public record ElementwiseProgram(int inputs, List<Step> steps, int[] register, int registers) {
    /** One operation: exactly one of {@code unary} and {@code binary} is set; {@code operands} are slots. */
    public record Step(Unary unary, Binary binary, int[] operands) {
        public Step {
            if ((unary == null) == (binary == null)) throw new IllegalArgumentException("a step is either unary or binary");
            if (operands.length != (unary != null ? 1 : 2)) throw new IllegalArgumentException("step " + (unary != null ? unary : binary) + " with " + operands.length + " operands");
        }

        public static Step of(Unary op, int x) {
            return new Step(op, null, new int[] {x});
        }

        public static Step of(Binary op, int x, int y) {
            return new Step(null, op, new int[] {x, y});
        }
    }

    /** The program with registers assigned by liveness (a step may reuse the register of a value it reads last). */
    public static ElementwiseProgram of(int inputs, List<Step> steps) {
        int s = steps.size();
        int[] lastRead = new int[inputs + s];
        for (int j = 0; j < s; j++) {
            for (int o : steps.get(j).operands()) {
                if (o < 0 || o >= inputs + j) throw new IllegalArgumentException("step " + j + " reads slot " + o + ", not computed before it");
                lastRead[o] = j;
            }
        }
        int[] register = new int[s];
        List<Integer> free = new ArrayList<>();
        int count = 0;
        for (int j = 0; j < s; j++) {
            for (int o : steps.get(j).operands()) {
                if (o >= inputs && lastRead[o] == j && register[o - inputs] >= 0 && !free.contains(register[o - inputs])) free.add(register[o - inputs]);
            }
            register[j] = j == s - 1 ? -1 : free.isEmpty() ? count++ : free.remove(free.size() - 1);
        }
        return new ElementwiseProgram(inputs, List.copyOf(steps), register, Math.max(1, count));
    }

    /** How an input is read in a one-pass run. */
    public enum Kind { FULL, SCALAR, ROW }

    /**
     * How each input fits the output shape {@code main} in a single blocked pass: the full shape (contiguous), a single
     * value, or a contiguous trailing row broadcast over it; null when one fits none of them or when a step reads no
     * full-shape value. Backends with a blocked kernel use it; the default {@link InferenceOps#run} takes any inputs.
     */
    public Kind[] onePassKinds(Tensor[] in, int[] main) {
        Kind[] kinds = new Kind[in.length];
        for (int k = 0; k < in.length; k++) {
            Tensor v = in[k];
            int[] shape = v.shape();
            if (v.numel() == 1 && shape.length <= main.length) kinds[k] = Kind.SCALAR;   // a higher rank would raise the output's
            else if (Arrays.equals(shape, main) && v.isContiguous()) kinds[k] = Kind.FULL;
            else if (v.isContiguous() && shape.length <= main.length && Shape.isTrailing(shape, main)) kinds[k] = Kind.ROW;
            else return null;
        }
        for (Step st : steps) {
            boolean full = false;
            for (int o : st.operands()) full |= o >= inputs || kinds[o] == Kind.FULL;
            if (!full) return null;
        }
        return kinds;
    }
}
