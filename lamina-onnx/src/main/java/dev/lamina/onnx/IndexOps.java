package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.longs;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;

import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.tensor.TypedOps;

import java.util.Arrays;

/**
 * Operators that read or write elements at positions held in an index tensor: ScatterND (slice assignment
 * {@code x[a:b, c:d] = v}, as in Swin's attention mask), ScatterElements ({@code scatter}, {@code scatter_add}),
 * GatherElements ({@code torch.gather}), GatherND, NonZero (with GatherND, {@code x[mask]}) and OneHot ({@code F.one_hot}). Every dtype alike (F32, I64, BOOL); indices may be negative
 * (counted from the end) and are checked against the dimension they index, the error naming the node, the index and
 * the shape.
 */
final class IndexOps {
    private IndexOps() {}

    static void registerAll() {
        register("ScatterND", 3, 3, 1, IndexOps::scatterND);
        register("ScatterElements", 3, 3, 1, IndexOps::scatterElements);
        register("GatherElements", 2, 2, 1, IndexOps::gatherElements);
        register("GatherND", 2, 2, 1, IndexOps::gatherND);
        register("NonZero", 1, 1, 1, IndexOps::nonZero);
        register("OneHot", 3, 3, 1, IndexOps::oneHot);
    }

    /**
     * How a scatter combines an update with the element already there ({@code reduction}: add and mul from opset 16,
     * max and min from 18; an explicit 'none' is accepted at any opset, the same as no attribute).
     */
    enum Reduction {
        NONE(13), ADD(16), MUL(16), MAX(18), MIN(18);

        final int since;

        Reduction(int since) {
            this.since = since;
        }

        static Reduction of(GraphNode n) {
            if (!n.has("reduction")) return NONE;
            String s = n.s("reduction", "none");
            Reduction r = switch (s) {
                case "none" -> NONE;
                case "add" -> ADD;
                case "mul" -> MUL;
                case "max" -> MAX;
                case "min" -> MIN;
                default -> throw n.error("reduction must be 'none', 'add', 'mul', 'max' or 'min', got '" + s + "'");
            };
            if (n.opset < r.since) throw n.error("reduction '" + s + "' needs opset " + r.since + " (the model imports opset " + n.opset + ")");
            return r;
        }

        float apply(float old, float u) {
            return switch (this) {
                case NONE -> u;
                case ADD -> old + u;
                case MUL -> old * u;
                case MAX -> Math.max(old, u);
                case MIN -> Math.min(old, u);
            };
        }

        long apply(long old, long u) {
            return switch (this) {
                case NONE -> u;
                case ADD -> old + u;
                case MUL -> old * u;
                case MAX -> Math.max(old, u);
                case MIN -> Math.min(old, u);
            };
        }
    }

    /** A tensor's elements copied flat in row-major order, in its dtype's array ({@code float[]}, {@code long[]} or {@code boolean[]}). */
    private record Flat(Object data, DType dtype, int length) {
        static Flat of(Tensor v) {
            return switch (v.dtype()) {
                case F32 -> new Flat(v.toArray(), DType.F32, v.numel());
                case I64 -> new Flat(v.toLongArray(), DType.I64, v.numel());
                case BOOL -> new Flat(v.toBooleanArray(), DType.BOOL, v.numel());
            };
        }

        static Flat sized(Flat like, int length) {
            return switch (like.dtype) {
                case F32 -> new Flat(new float[length], DType.F32, length);
                case I64 -> new Flat(new long[length], DType.I64, length);
                case BOOL -> new Flat(new boolean[length], DType.BOOL, length);
            };
        }

        void combine(int to, Flat src, int from, Reduction r) {
            switch (dtype) {
                case F32 -> ((float[]) data)[to] = r.apply(((float[]) data)[to], ((float[]) src.data)[from]);
                case I64 -> ((long[]) data)[to] = r.apply(((long[]) data)[to], ((long[]) src.data)[from]);
                case BOOL -> {   // as 0 and 1: add is or, mul is and
                    boolean[] d = (boolean[]) data;
                    d[to] = r.apply(d[to] ? 1L : 0L, ((boolean[]) src.data)[from] ? 1L : 0L) != 0;
                }
            }
        }

        void copy(int to, Flat src, int from, int count) {
            System.arraycopy(src.data, from, data, to, count);
        }

        Tensor value(int[] shape) {
            return switch (dtype) {
                case F32 -> Tensor.of((float[]) data, shape.clone());
                case I64 -> Tensor.ofLongs((long[]) data, shape);
                case BOOL -> Tensor.ofBooleans((boolean[]) data, shape);
            };
        }
    }

    private static void sameKind(GraphNode n, Tensor data, Tensor updates) {
        if (data.dtype() != updates.dtype()) {
            throw n.error("data (" + DataTypes.name(DataTypes.of(data)) + ") and updates (" + DataTypes.name(DataTypes.of(updates)) + ") must have the same element type");
        }
    }

    /** Row-major strides of {@code shape}, in elements. */
    private static long[] strides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    private static long product(int[] shape, int from, int to) {
        long p = 1;
        for (int d = from; d < to; d++) p *= shape[d];
        return p;
    }

    /** An index into a dimension of size {@code dim}, negative counted from the end; {@code where} describes it for the error. */
    private static int index(GraphNode n, long i, int dim, String where) {
        if (i < -dim || i >= dim) throw n.error("index " + i + " " + where + " is out of range [" + -dim + ", " + (dim - 1) + "]");
        return (int) (i < 0 ? i + dim : i);
    }

    /**
     * ScatterND: data [r dims], indices [..., k] (k ≤ r), updates [indices.shape()[:-1] ++ data.shape()[k:]] → a copy of
     * data in which the slice data[indices[i]] is replaced by (or, with a reduction, combined with) updates[i], in
     * index order.
     */
    private static Tensor[] scatterND(GraphNode n, Tensor[] in) {
        Tensor data = in[0], updates = in[2];
        long[] idx = longs(n, in[1], "indices");
        int[] is = in[1].shape();
        sameKind(n, data, updates);
        Reduction reduction = Reduction.of(n);
        if (is.length == 0) throw n.error("indices must have at least one dimension, got a scalar");
        int k = is[is.length - 1], r = data.dim();
        if (k > r) throw n.error("indices " + Shape.str(is) + " address " + k + " dimensions of data " + Shape.str(data.shape()) + " of rank " + r);
        int[] expected = new int[is.length - 1 + r - k];
        System.arraycopy(is, 0, expected, 0, is.length - 1);
        System.arraycopy(data.shape(), k, expected, is.length - 1, r - k);
        if (!Arrays.equals(expected, updates.shape())) {
            throw n.error("updates must have shape " + Shape.str(expected) + " (indices " + Shape.str(is) + ", data " + Shape.str(data.shape()) + "), got " + Shape.str(updates.shape()));
        }
        Flat out = Flat.of(data), src = Flat.of(updates);
        long[] stride = strides(data.shape());
        int slice = (int) product(data.shape(), k, r), tuples = (int) product(is, 0, is.length - 1);
        for (int t = 0; t < tuples; t++) {
            long offset = 0;
            for (int j = 0; j < k; j++) {
                offset += index(n, idx[t * k + j], data.shape()[j], "at indices position " + t + ", component " + j + " (data " + Shape.str(data.shape()) + ")") * stride[j];
            }
            int o = (int) offset, u = t * slice;
            if (reduction == Reduction.NONE) {
                out.copy(o, src, u, slice);
            } else {
                for (int e = 0; e < slice; e++) out.combine(o + e, src, u + e, reduction);
            }
        }
        return one(out.value(data.shape()));
    }

    /** Checks that indices (and updates, when given) fit inside data along every dimension but {@code axis}. */
    private static void checkElementsShapes(GraphNode n, Tensor data, int[] is, int ax, String what) {
        if (is.length != data.dim()) throw n.error(what + " of rank " + is.length + " " + Shape.str(is) + " must have the rank of data " + Shape.str(data.shape()));
        for (int d = 0; d < is.length; d++) {
            if (d != ax && is[d] > data.shape()[d]) {
                throw n.error(what + " " + Shape.str(is) + " is larger than data " + Shape.str(data.shape()) + " in dimension " + d + " (only the axis " + ax + " may differ)");
            }
        }
    }

    /**
     * The data offset of every indices position: position p of indices addresses data[p with p[axis] replaced by
     * indices[p]].
     */
    private static int[] elementOffsets(GraphNode n, Tensor data, long[] idx, int[] is, int ax) {
        long[] ds = strides(data.shape());
        int[] offsets = new int[idx.length];
        int[] pos = new int[is.length];
        for (int p = 0; p < idx.length; p++) {
            long o = 0;
            for (int d = 0; d < is.length; d++) {
                o += (d == ax ? index(n, idx[p], data.shape()[ax], "at indices position " + Arrays.toString(pos) + " (axis " + ax + " of data " + Shape.str(data.shape()) + ")") : pos[d]) * ds[d];
            }
            offsets[p] = (int) o;
            for (int d = is.length - 1; d >= 0 && ++pos[d] == is[d]; d--) pos[d] = 0;
        }
        return offsets;
    }

    /** ScatterElements: data, indices and updates of one rank, updates shaped like indices; out[p with p[axis] = indices[p]] = updates[p]. */
    private static Tensor[] scatterElements(GraphNode n, Tensor[] in) {
        Tensor data = in[0], updates = in[2];
        long[] idx = longs(n, in[1], "indices");
        int[] is = in[1].shape();
        sameKind(n, data, updates);
        Reduction reduction = Reduction.of(n);
        if (data.dim() == 0) throw n.error("data must have at least one dimension");
        int ax = axis(n, n.i("axis", 0), data.dim());
        if (!Arrays.equals(is, updates.shape())) throw n.error("updates " + Shape.str(updates.shape()) + " must have the shape of indices " + Shape.str(is));
        checkElementsShapes(n, data, is, ax, "indices");
        int[] offsets = elementOffsets(n, data, idx, is, ax);
        Flat out = Flat.of(data), src = Flat.of(updates);
        for (int p = 0; p < offsets.length; p++) out.combine(offsets[p], src, p, reduction);
        return one(out.value(data.shape()));
    }

    /** GatherElements: out (shaped like indices)[p] = data[p with p[axis] = indices[p]]. */
    private static Tensor[] gatherElements(GraphNode n, Tensor[] in) {
        Tensor data = in[0];
        long[] idx = longs(n, in[1], "indices");
        int[] is = in[1].shape();
        if (data.dim() == 0) throw n.error("data must have at least one dimension");
        int ax = axis(n, n.i("axis", 0), data.dim());
        checkElementsShapes(n, data, is, ax, "indices");
        int[] offsets = elementOffsets(n, data, idx, is, ax);
        Flat src = Flat.of(data), out = Flat.sized(src, offsets.length);
        for (int p = 0; p < offsets.length; p++) out.copy(p, src, offsets[p], 1);
        return one(out.value(is));
    }

    /**
     * GatherND with {@code batch_dims} b: data [B..., r - b dims], indices [B..., ..., k] (b + k ≤ r), the first b
     * dimensions equal → out [indices.shape()[:-1] ++ data.shape()[b + k:]], each index tuple picking a slice of its
     * batch's data.
     */
    private static Tensor[] gatherND(GraphNode n, Tensor[] in) {
        Tensor data = in[0];
        long[] idx = longs(n, in[1], "indices");
        int[] is = in[1].shape(), ds = data.shape();
        int r = data.dim(), q = is.length;
        long bl = n.i("batch_dims", 0);
        if (r < 1 || q < 1) throw n.error("data and indices must have at least one dimension, got " + Shape.str(ds) + " and " + Shape.str(is));
        if (bl < 0 || bl >= Math.min(r, q)) throw n.error("batch_dims " + bl + " must be in [0, " + (Math.min(r, q) - 1) + "] for data " + Shape.str(ds) + " and indices " + Shape.str(is));
        int b = (int) bl, k = is[q - 1];
        if (b + k > r) throw n.error("indices " + Shape.str(is) + " address " + k + " dimensions after " + b + " batch dimensions of data " + Shape.str(ds) + " of rank " + r);
        for (int d = 0; d < b; d++) {
            if (is[d] != ds[d]) throw n.error("batch dimension " + d + " differs: data " + Shape.str(ds) + ", indices " + Shape.str(is));
        }
        int[] outShape = new int[q - 1 + r - b - k];
        System.arraycopy(is, 0, outShape, 0, q - 1);
        System.arraycopy(ds, b + k, outShape, q - 1, r - b - k);
        Ops.checkSize(n, outShape);
        long[] stride = strides(ds);
        int batches = (int) product(ds, 0, b), perBatch = (int) product(is, b, q - 1), slice = (int) product(ds, b + k, r);
        int batchBlock = (int) product(ds, b, r);
        Flat src = Flat.of(data), out = Flat.sized(src, batches * perBatch * slice);
        for (int bi = 0; bi < batches; bi++) {
            for (int t = 0; t < perBatch; t++) {
                int tuple = bi * perBatch + t;
                long offset = (long) bi * batchBlock;
                for (int j = 0; j < k; j++) {
                    offset += index(n, idx[tuple * k + j], ds[b + j], "at indices position " + tuple + ", component " + j + " (data " + Shape.str(ds) + ")") * stride[b + j];
                }
                out.copy(tuple * slice, src, (int) offset, slice);
            }
        }
        return one(out.value(outShape));
    }

    /** NonZero: the positions of the non-zero elements of X (rank r) as int64 [r, count], in row-major order; a scalar counts as rank 1. */
    private static Tensor[] nonZero(GraphNode n, Tensor[] in) {
        return one(TypedOps.nonZero(in[0]));
    }

    /**
     * OneHot: indices [...] → [... with depth inserted at {@code axis}], values[1] where the index (negative counted
     * from the end) is, values[0] elsewhere; an index outside [-depth, depth - 1] gives a row of values[0], as ONNX
     * specifies. The output has the element type of {@code values} ([off, on]).
     */
    private static Tensor[] oneHot(GraphNode n, Tensor[] in) {
        Tensor indices = in[0], values = in[2];
        long[] idx = Ops.toLongs(indices, n.describe() + ": input 'indices'");
        double depthValue = Ops.scalar(n, in[1], "depth");
        if (depthValue != Math.rint(depthValue) || depthValue < 1 || depthValue > DataTypes.MAX_ELEMENTS) {
            throw n.error("depth must be a positive whole number, got " + depthValue);
        }
        int depth = (int) depthValue;
        if (values.numel() != 2) throw n.error("values must hold [off_value, on_value], got shape " + Shape.str(values.shape()));
        int r = indices.dim() + 1;
        int ax = axis(n, n.i("axis", -1), r);
        int[] outShape = new int[r];
        for (int d = 0, j = 0; d < r; d++) outShape[d] = d == ax ? depth : indices.shape()[j++];
        Ops.checkSize(n, outShape);
        int inner = 1;
        for (int d = ax + 1; d < r; d++) inner *= outShape[d];
        Flat v = Flat.of(values), out = Flat.sized(v, Shape.size(outShape));
        for (int p = 0; p < out.length(); p++) out.copy(p, v, 0, 1);
        for (int p = 0; p < idx.length; p++) {
            long i = idx[p];
            if (i < -depth || i >= depth) continue;
            int hot = (int) (i < 0 ? i + depth : i);
            int outerPos = p / inner, innerPos = p % inner;
            out.copy((outerPos * depth + hot) * inner + innerPos, v, 1, 1);
        }
        return one(out.value(outShape));
    }
}
