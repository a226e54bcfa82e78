package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.tensor.TypedOps;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Operators that walk along one axis: CumSum ({@code torch.cumsum}, position ids from a padding mask) and TopK
 * ({@code torch.topk}, sampling and mixture-of-experts routing). Each line along the axis is processed on its own;
 * F32 and I64 inputs alike (I64 exactly).
 */
final class ScanOps {
    private ScanOps() {}

    static void registerAll() {
        register("CumSum", 2, 2, 1, ScanOps::cumSum);
        register("TopK", 2, 2, 2, ScanOps::topK);
    }

    /** The element offsets of one axis: lines = elements before it × after it, each line {@code dim} elements {@code inner} apart. */
    private record Lines(int outer, int dim, int inner) {
        static Lines of(int[] shape, int ax) {
            int outer = 1, inner = 1;
            for (int d = 0; d < ax; d++) outer *= shape[d];
            for (int d = ax + 1; d < shape.length; d++) inner *= shape[d];
            return new Lines(outer, shape[ax], inner);
        }

        int count() {
            return outer * inner;
        }

        /** Offset of element j of line l. */
        int at(int l, int j) {
            return (l / inner) * dim * inner + j * inner + l % inner;
        }
    }

    /** CumSum: running sums along {@code axis} (a scalar input), optionally {@code exclusive} (each sum leaves its own element out) and {@code reverse}. */
    private static Tensor[] cumSum(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        if (x.dim() == 0) throw n.error("input must have at least one dimension");
        if (Ops.isFloat(in[1])) throw n.error("input 'axis' must be an integer tensor, got float");
        int ax = axis(n, (long) Ops.scalar(n, in[1], "axis"), x.dim());
        boolean exclusive = n.i("exclusive", 0) != 0, reverse = n.i("reverse", 0) != 0;
        return one(TypedOps.cumsum(x.dtype() == DType.BOOL ? x.to(DType.I64) : x, ax, exclusive, reverse));
    }

    /**
     * TopK: the k largest (or, with largest=0, smallest) elements along {@code axis} and their int64 indices, sorted
     * (equal values: the lower index first, as ONNX specifies); K is a one-element integer input.
     */
    private static Tensor[] topK(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        if (x.dim() == 0) throw n.error("input must have at least one dimension");
        int ax = axis(n, n.i("axis", -1), x.dim());
        if (Ops.isFloat(in[1])) throw n.error("input 'K' must be an integer tensor, got float");
        long kl = (long) Ops.scalar(n, in[1], "K");
        if (kl < 0 || kl > x.shape()[ax]) throw n.error("K = " + kl + " is out of range for dimension " + ax + " of size " + x.shape()[ax] + " in " + Shape.str(x.shape()));
        int k = (int) kl;
        boolean largest = n.i("largest", 1) != 0;
        Lines lines = Lines.of(x.shape(), ax);
        int[] outShape = x.shape().clone();
        outShape[ax] = k;
        Lines outLines = Lines.of(outShape, ax);
        if (x.dtype() == DType.BOOL) x = x.to(DType.I64);
        float[] f = Ops.isFloat(x) ? x.toArray() : null;
        long[] l = f != null ? null : x.toLongArray();
        float[] fo = new float[outLines.count() * k];
        long[] lo = f != null ? null : new long[fo.length];
        long[] idx = new long[fo.length];
        Integer[] order = new Integer[lines.dim];
        for (int line = 0; line < lines.count(); line++) {
            int ln = line;
            for (int j = 0; j < order.length; j++) order[j] = j;
            Comparator<Integer> byValue = f != null ? Comparator.comparingDouble(j -> f[lines.at(ln, j)]) : Comparator.comparingLong(j -> l[lines.at(ln, j)]);
            Arrays.sort(order, (largest ? byValue.reversed() : byValue).thenComparingInt(j -> j));
            for (int j = 0; j < k; j++) {
                int src = lines.at(line, order[j]), dst = outLines.at(line, j);
                if (f != null) fo[dst] = f[src];
                else lo[dst] = l[src];
                idx[dst] = order[j];
            }
        }
        Tensor values = f != null ? Tensor.of(fo, outShape.clone()) : Tensor.ofLongs(lo, outShape);
        return new Tensor[] {values, Tensor.ofLongs(idx, outShape)};
    }
}
