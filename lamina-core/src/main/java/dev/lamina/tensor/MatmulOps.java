package dev.lamina.tensor;


import java.util.Arrays;

/**
 * The matrix product of {@link Tensor} with PyTorch's promotion and batch-broadcast rules; its gradient rule beside it.
 */
final class MatmulOps {
    private MatmulOps() {}

    static Tensor matmul(Tensor self, Tensor b) {
        Tensor a = self;
        if (a.dtype != DType.F32) Tensor.requireFloat("matmul", a);
        if (b.dtype != DType.F32) Tensor.requireFloat("matmul", b);
        if (a.dim() == 0 || b.dim() == 0) throw new ShapeException("matmul: both operands need at least 1 dimension, got " + Shape.str(a.shape) + " and " + Shape.str(b.shape));
        if (a.dim() == 1 && b.dim() == 1) return a.unsqueeze(0).matmul(b.unsqueeze(1)).reshape();
        if (a.dim() == 1) return a.unsqueeze(0).matmul(b).squeeze(-2);
        if (b.dim() == 1) return a.matmul(b.unsqueeze(1)).squeeze(-1);
        int m = a.shape[a.dim() - 2], k = a.shape[a.dim() - 1];
        int kb = b.shape[b.dim() - 2], n = b.shape[b.dim() - 1];
        if (k != kb) {
            throw new ShapeException("matmul: inner dimensions differ: " + Shape.str(a.shape) + " · " + Shape.str(b.shape) + " (" + k + " vs " + kb + ")");
        }
        if (b.dim() == 2 && a.dim() > 2) {
            // fold a's batch dimensions into its rows: one large GEMM instead of many small ones
            int[] outShape = a.shape.clone();
            outShape[outShape.length - 1] = n;
            return a.reshape(-1, k).matmul(b).reshape(outShape);
        }
        int[] aBatch = Arrays.copyOf(a.shape, a.dim() - 2);
        int[] bBatch = Arrays.copyOf(b.shape, b.dim() - 2);
        int[] batch = Shape.broadcast("matmul", aBatch, bBatch);
        Tensor out = ElementwiseOps.sameBackend("matmul", a, b).matmul(a, b, batch);
        return Tensor.record("matmul", out, g -> new Tensor[] {
                a.requiresGrad ? g.matmul(b.transpose(-1, -2)) : null,
                b.requiresGrad ? a.transpose(-1, -2).matmul(g) : null}, a, b);
    }
}
