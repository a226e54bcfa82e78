package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;

/**
 * Module ops of the compiled inference engine: an element-wise program in one pass and products with a right
 * operand packed once. No gradients (inference only). The defaults compose {@link TensorOps} primitives.
 */
public interface InferenceOps extends TensorOps {
    /**
     * Runs {@code program} on {@code inputs} (each broadcastable to {@code outShape}).
     *
     * @return [outShape], the last step's value
     */
    default Tensor run(ElementwiseProgram program, Tensor[] inputs, int[] outShape) {
        try (var scope = Autograd.noGrad()) {
            Tensor[] slot = Arrays.copyOf(inputs, program.inputs() + program.steps().size());
            int at = program.inputs();
            for (ElementwiseProgram.Step st : program.steps()) {
                int[] ops = st.operands();
                if (st.unary() != null) {
                    slot[at++] = unary(st.unary(), slot[ops[0]]);
                } else {
                    Tensor x = slot[ops[0]], y = slot[ops[1]];
                    slot[at++] = binary(st.binary(), x, y, Shape.broadcast("elementwise program", x.shape(), y.shape()));
                }
            }
            Tensor out = slot[at - 1];
            if (!Arrays.equals(out.shape(), outShape)) throw new IllegalArgumentException("elementwise program: result " + Shape.str(out.shape()) + ", expected " + Shape.str(outShape));
            return out;
        }
    }

    /** Prepares B [k, n] (or, with {@code transposed}, B given as [n, k]) for {@link #matmulPacked}; later changes to b are not seen. */
    default PackedMatrix packRight(Tensor b, boolean transposed) {
        Tensor dense = copy(transposed ? b.detach().t() : b.detach());
        return new DenseMatrix(dense);
    }

    /** B kept as a contiguous [k, n] tensor: the default {@link PackedMatrix}. */
    record DenseMatrix(Tensor b) implements PackedMatrix {
        @Override
        public int k() {
            return b.size(0);
        }

        @Override
        public int n() {
            return b.size(1);
        }
    }

    /**
     * A · B + bias row: A [..., M, k] (or, with {@code transA}, a 2-D [k, M]) → [..., M, n]; bias [n] or null.
     */
    default Tensor matmulPacked(Tensor a, boolean transA, PackedMatrix b, Tensor bias) {
        if (!(b instanceof DenseMatrix dense)) throw new IllegalArgumentException("matmulPacked: " + b.getClass().getSimpleName() + " was packed by another backend");
        try (var scope = Autograd.noGrad()) {
            Tensor y = (transA ? a.t() : a).matmul(dense.b());
            return bias == null ? y : y.add(bias);
        }
    }
}
