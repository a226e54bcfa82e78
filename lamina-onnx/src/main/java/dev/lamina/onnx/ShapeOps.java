package dev.lamina.onnx;

import static dev.lamina.onnx.Ops.MANY;
import static dev.lamina.onnx.Ops.axis;
import static dev.lamina.onnx.Ops.longs;
import static dev.lamina.onnx.Ops.one;
import static dev.lamina.onnx.Ops.register;
import static dev.lamina.onnx.Ops.toInts;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import dev.lamina.tensor.TypedOps;
import onnx.Onnx.AttributeProto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Shape and data-movement operators: reshape, transpose, slicing, gathering, concatenation, padding, constants.
 * Each runs the same Lamina view or copy on every dtype (F32, I64, BOOL): integers are moved exactly, at any size.
 */
final class ShapeOps {
    private ShapeOps() {}

    static void registerAll() {
        register("Identity", 1, 1, 1, (n, in) -> one(in[0]));
        register("Dropout", 1, 3, 2, ShapeOps::dropout);
        register("Shape", 1, 1, 1, ShapeOps::shape);
        register("Size", 1, 1, 1, (n, in) -> one(Tensor.ofLongs(new long[] {in[0].numel()})));
        register("Reshape", 2, 2, 1, ShapeOps::reshape);
        register("Flatten", 1, 1, 1, (n, in) -> {
            int r = in[0].dim();
            long a = n.i("axis", 1);
            if (a < -r || a > r) throw n.error("axis " + a + " is out of range for rank " + r);
            int ax = (int) (a < 0 ? a + r : a);
            int outer = 1, inner = 1;
            for (int d = 0; d < r; d++) {
                if (d < ax) outer *= in[0].shape()[d];
                else inner *= in[0].shape()[d];
            }
            int fo = outer, fi = inner;
            return one(in[0].reshape(fo, fi));
        });
        register("Transpose", 1, 1, 1, (n, in) -> {
            int r = in[0].dim();
            int[] perm = n.ints("perm");
            if (perm == null) {
                perm = new int[r];
                for (int k = 0; k < r; k++) perm[k] = r - 1 - k;
            }
            if (perm.length != r) throw n.error("perm " + Arrays.toString(perm) + " does not match rank " + r);
            boolean[] seen = new boolean[r];
            for (int p : perm) {
                if (p < 0 || p >= r || seen[p]) throw n.error("perm " + Arrays.toString(perm) + " is not a permutation of 0.." + (r - 1));
                seen[p] = true;
            }
            int[] fp = perm;
            return one(in[0].permute(fp));
        });
        register("Squeeze", 1, 2, 1, ShapeOps::squeeze);
        register("Unsqueeze", 2, 2, 1, ShapeOps::unsqueeze);
        register("Concat", 1, MANY, 1, ShapeOps::concat);
        register("Split", 1, 2, MANY, ShapeOps::split);
        register("Slice", 3, 5, 1, ShapeOps::slice);
        register("Gather", 2, 2, 1, ShapeOps::gather);
        register("Expand", 2, 2, 1, (n, in) -> {
            int[] target = toInts(n, longs(n, in[1], "shape"), "shape");
            int[] out = Shape.broadcast("Expand", in[0].shape(), target);
            Ops.checkSize(n, out);
            int[] padded = padLeft(in[0].shape(), out.length);
            return one(in[0].reshape(padded).expand(out).contiguous());
        });
        register("Tile", 2, 2, 1, (n, in) -> {
            int[] reps = toInts(n, longs(n, in[1], "repeats"), "repeats");
            if (reps.length != in[0].dim()) throw n.error("repeats has " + reps.length + " values for rank " + in[0].dim());
            int[] out = in[0].shape().clone();
            for (int d = 0; d < out.length; d++) {
                if (reps[d] < 0) throw n.error("negative repeat " + reps[d]);
                out[d] *= reps[d];
            }
            Ops.checkSize(n, out);
            Tensor t = in[0];
            for (int d = 0; d < reps.length; d++) {
                if (reps[d] != 1) t = Tensor.cat(java.util.Collections.nCopies(reps[d], t), d);
            }
            return one(t);
        });
        register("Constant", 0, 0, 1, ShapeOps::constant);
        register("ConstantOfShape", 1, 1, 1, ShapeOps::constantOfShape);
        register("Range", 3, 3, 1, ShapeOps::range);
        register("Pad", 2, 3, 1, ShapeOps::pad);
        register("Pad", 18, 2, 4, 1, ShapeOps::pad, Map.of()); // optional 'axes' input; mode 'wrap' from opset 19
        register("Trilu", 1, 2, 1, ShapeOps::trilu);
    }

    /** {@code shape} with leading 1s up to {@code rank} dimensions. */
    static int[] padLeft(int[] shape, int rank) {
        if (shape.length > rank) throw new IllegalArgumentException("shape " + Shape.str(shape) + " has more than " + rank + " dimensions");
        int[] p = new int[rank];
        Arrays.fill(p, 1);
        System.arraycopy(shape, 0, p, rank - shape.length, shape.length);
        return p;
    }

    /**
     * Dropout at inference: the identity with an all-true mask. training_mode=true is accepted only with ratio 0, the
     * identity too (torchvision 0.14's Swin calls {@code F.dropout(attn, p=0.0)} without {@code training=False}).
     */
    private static Tensor[] dropout(GraphNode n, Tensor[] in) {
        if (in.length > 2 && in[2] != null && Ops.scalar(n, in[2], "training_mode") != 0) {
            double ratio = in.length > 1 && in[1] != null ? Ops.scalar(n, in[1], "ratio") : 0.5;
            if (ratio != 0) throw n.error("training_mode=true with ratio " + ratio + " is not supported (inference only; only ratio 0, the identity, is)");
        }
        boolean[] mask = new boolean[in[0].numel()];
        Arrays.fill(mask, true);
        return new Tensor[] {in[0], Tensor.ofBooleans(mask, in[0].shape())};
    }

    private static Tensor[] shape(GraphNode n, Tensor[] in) {
        int r = in[0].dim();
        long s = n.i("start", 0), e = n.i("end", r);
        int start = (int) Math.max(0, Math.min(r, s < 0 ? s + r : s));
        int end = (int) Math.max(0, Math.min(r, e < 0 ? e + r : e));
        long[] v = new long[Math.max(0, end - start)];
        for (int k = 0; k < v.length; k++) v[k] = in[0].shape()[start + k];
        return one(Tensor.ofLongs(v, v.length));
    }

    private static Tensor[] reshape(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        long[] req = longs(n, in[1], "shape");
        boolean allowZero = n.i("allowzero", 0) != 0;
        int[] target = new int[req.length];
        int infer = -1;
        long known = 1;
        for (int k = 0; k < req.length; k++) {
            long s = req[k];
            if (s == 0 && !allowZero) {
                if (k >= x.dim()) throw n.error("shape " + Arrays.toString(req) + " copies dimension " + k + " of an input of rank " + x.dim());
                s = x.shape()[k];
            }
            if (s == -1) {
                if (infer >= 0) throw n.error("shape " + Arrays.toString(req) + " has more than one -1");
                infer = k;
                continue;
            }
            if (s < 0 || s > DataTypes.MAX_ELEMENTS) throw n.error("invalid dimension " + s + " in shape " + Arrays.toString(req));
            target[k] = (int) s;
            known *= s;
            if (known > DataTypes.MAX_ELEMENTS) throw n.error("shape " + Arrays.toString(req) + " is too large");
        }
        int numel = x.numel();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) throw n.error("cannot reshape " + Shape.str(x.shape()) + " to " + Arrays.toString(req));
            target[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw n.error("cannot reshape " + Shape.str(x.shape()) + " (" + numel + " elements) to " + Arrays.toString(req));
        }
        return one(x.reshape(target));
    }

    private static Tensor[] squeeze(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        List<Integer> out = new ArrayList<>();
        boolean[] drop = new boolean[x.dim()];
        if (in.length > 1 && in[1] != null) {
            for (long a : longs(n, in[1], "axes")) {
                int ax = axis(n, a, x.dim());
                if (x.shape()[ax] != 1) throw n.error("cannot squeeze dimension " + ax + " of size " + x.shape()[ax] + " in " + Shape.str(x.shape()));
                drop[ax] = true;
            }
        } else {
            for (int d = 0; d < x.dim(); d++) drop[d] = x.shape()[d] == 1;
        }
        for (int d = 0; d < x.dim(); d++) if (!drop[d]) out.add(x.shape()[d]);
        int[] s = out.stream().mapToInt(Integer::intValue).toArray();
        return one(x.reshape(s));
    }

    private static Tensor[] unsqueeze(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        long[] axes = longs(n, in[1], "axes");
        int rank = x.dim() + axes.length;
        boolean[] add = new boolean[rank];
        for (long a : axes) {
            int ax = axis(n, a, rank);
            if (add[ax]) throw n.error("axis " + a + " repeated in " + Arrays.toString(axes));
            add[ax] = true;
        }
        int[] s = new int[rank];
        for (int d = 0, j = 0; d < rank; d++) s[d] = add[d] ? 1 : x.shape()[j++];
        return one(x.reshape(s));
    }

    private static Tensor[] concat(GraphNode n, Tensor[] in) {
        for (Tensor v : in) if (v == null) throw n.error("inputs may not be omitted");
        int rank = in[0].dim();
        int ax = axis(n, n.i("axis", 0), rank);
        for (Tensor v : in) {
            if (v.dim() != rank) throw n.error("inputs of rank " + rank + " and " + v.dim() + " cannot be concatenated");
            for (int d = 0; d < rank; d++) {
                if (d != ax && v.shape()[d] != in[0].shape()[d]) throw n.error("shapes " + Shape.str(in[0].shape()) + " and " + Shape.str(v.shape()) + " differ outside axis " + ax);
            }
        }
        // ONNX requires one element type; a float among integers (an exporter's shortcut) makes the result float
        boolean anyFloat = Arrays.stream(in).anyMatch(Ops::isFloat);
        boolean mixed = Arrays.stream(in).anyMatch(v -> v.dtype() != in[0].dtype());
        if (anyFloat && mixed) return one(Tensor.cat(Arrays.stream(in).map(Ops::toFloat).toList(), ax));
        if (mixed) return one(Tensor.cat(Arrays.stream(in).map(v -> v.to(dev.lamina.tensor.DType.I64)).toList(), ax));
        return one(Tensor.cat(Arrays.asList(in), ax));
    }

    static Tensor[] split(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        int ax = axis(n, n.i("axis", 0), x.dim());
        int outs = n.proto.getOutputCount();
        int dim = x.shape()[ax];
        int[] sizes;
        if (in.length > 1 && in[1] != null) {
            sizes = toInts(n, longs(n, in[1], "split"), "split");
        } else {
            int[] attr = n.ints("split");
            if (attr != null) {
                sizes = attr;
            } else {
                if (outs == 0 || dim % outs != 0) throw n.error("dimension " + dim + " does not split evenly into " + outs + " outputs");
                sizes = new int[outs];
                Arrays.fill(sizes, dim / outs);
            }
        }
        return splitInto(n, x, ax, sizes);
    }

    /** Splits {@code x} along {@code ax} into parts of the given sizes, one per node output. */
    static Tensor[] splitInto(GraphNode n, Tensor x, int ax, int[] sizes) {
        int outs = n.proto.getOutputCount(), dim = x.shape()[ax];
        if (sizes.length != outs) throw n.error(sizes.length + " split sizes for " + outs + " outputs");
        int sum = 0;
        for (int s : sizes) {
            if (s < 0) throw n.error("negative split size " + s);
            sum += s;
        }
        if (sum != dim) throw n.error("split sizes " + Arrays.toString(sizes) + " do not add up to dimension " + dim);
        Tensor[] out = new Tensor[outs];
        int start = 0;
        for (int k = 0; k < outs; k++) {
            int s0 = start, len = sizes[k];
            out[k] = x.narrow(ax, s0, len);
            start += len;
        }
        return out;
    }

    private static Tensor[] slice(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        long[] starts = longs(n, in[1], "starts"), ends = longs(n, in[2], "ends");
        int r = x.dim();
        long[] axes;
        if (in.length > 3 && in[3] != null) {
            axes = longs(n, in[3], "axes");
        } else {
            axes = new long[starts.length];
            for (int k = 0; k < axes.length; k++) axes[k] = k;
        }
        long[] steps;
        if (in.length > 4 && in[4] != null) {
            steps = longs(n, in[4], "steps");
        } else {
            steps = new long[starts.length];
            Arrays.fill(steps, 1);
        }
        if (ends.length != starts.length || axes.length != starts.length || steps.length != starts.length) {
            throw n.error("starts, ends, axes and steps must have the same length, got " + starts.length + ", " + ends.length + ", " + axes.length + ", " + steps.length);
        }
        Tensor cur = x;
        boolean[] seen = new boolean[r];
        for (int k = 0; k < starts.length; k++) {
            int ax = axis(n, axes[k], r);
            if (seen[ax]) throw n.error("axis " + ax + " sliced twice");
            seen[ax] = true;
            long step = steps[k];
            if (step == 0) throw n.error("step may not be 0");
            long dim = x.shape()[ax];
            long s = starts[k], e = ends[k];
            if (s < 0) s += dim;
            if (e < 0) e += dim;
            if (step > 0) {
                s = Math.max(0, Math.min(dim, s));
                e = Math.max(0, Math.min(dim, e));
                if (step > dim) step = Math.max(1, dim);
                int fs = (int) s, fe = (int) e, fst = (int) step;
                cur = cur.slice(ax, fs, Math.max(fs, fe), fst);
            } else {
                s = Math.max(0, Math.min(dim - 1, s));
                e = Math.max(-1, Math.min(dim - 1, e));
                List<Integer> idx = new ArrayList<>();
                for (long i = s; i > e; i += step) idx.add((int) i);
                int[] ia = idx.stream().mapToInt(Integer::intValue).toArray();
                cur = cur.indexSelect(ax, ia);
            }
        }
        return one(cur);
    }

    private static Tensor[] gather(GraphNode n, Tensor[] in) {
        Tensor data = in[0];
        if (data.dim() == 0) throw n.error("data must have at least one dimension");
        int ax = axis(n, n.i("axis", 0), data.dim());
        long[] idx = longs(n, in[1], "indices");
        int dim = data.shape()[ax];
        int[] flat = new int[idx.length];
        for (int k = 0; k < idx.length; k++) {
            long i = idx[k];
            if (i < -dim || i >= dim) throw n.error("index " + i + " is out of range for dimension " + ax + " of size " + dim);
            flat[k] = (int) (i < 0 ? i + dim : i);
        }
        int[] out = new int[data.dim() - 1 + in[1].dim()];
        int j = 0;
        for (int d = 0; d < ax; d++) out[j++] = data.shape()[d];
        for (int d : in[1].shape()) out[j++] = d;
        for (int d = ax + 1; d < data.dim(); d++) out[j++] = data.shape()[d];
        Ops.checkSize(n, out);
        return one(data.indexSelect(ax, flat).reshape(out));
    }

    private static Tensor[] constant(GraphNode n, Tensor[] in) {
        if (n.attributeNames().size() != 1) throw n.error("exactly one value attribute is required, got " + n.attributeNames());
        AttributeProto t = n.tensorAttr("value");
        if (t != null) return one(DataTypes.decode(t.getT(), n.describe()));
        if (n.has("value_float")) return one(Tensor.scalar(n.f("value_float", 0)));
        if (n.has("value_floats")) {
            float[] v = n.floats("value_floats");
            return one(Tensor.of(v, v.length));
        }
        if (n.has("value_int")) return one(Tensor.ofLongs(new long[] {n.i("value_int", 0)}));
        if (n.has("value_ints")) {
            long[] v = n.raw("value_ints").getIntsList().stream().mapToLong(Long::longValue).toArray();
            return one(Tensor.ofLongs(v, v.length));
        }
        throw n.error("value attribute " + n.attributeNames() + " is not supported");
    }

    private static Tensor[] constantOfShape(GraphNode n, Tensor[] in) {
        int[] shape = toInts(n, longs(n, in[0], "input"), "shape");
        Ops.checkSize(n, shape);
        Tensor fill = Tensor.scalar(0f);
        AttributeProto t = n.tensorAttr("value");
        if (t != null) {
            fill = DataTypes.decode(t.getT(), n.describe());
            if (fill.numel() != 1) throw n.error("value must hold one element, got shape " + Shape.str(fill.shape()));
        }
        return one(Ops.full(fill, shape));
    }

    private static Tensor[] range(GraphNode n, Tensor[] in) {
        double start = Ops.scalar(n, in[0], "start"), limit = Ops.scalar(n, in[1], "limit"), delta = Ops.scalar(n, in[2], "delta");
        if (delta == 0) throw n.error("delta may not be 0");
        double count = Math.max(Math.ceil((limit - start) / delta), 0);
        if (count > DataTypes.MAX_ELEMENTS) throw n.error("range of " + count + " elements is too large");
        int len = (int) count;
        if (Ops.isFloat(in[0])) {
            float[] a = new float[len];
            for (int k = 0; k < len; k++) a[k] = (float) (start + k * delta);
            return one(Tensor.of(a, len));
        }
        long first = Ops.longs(n, in[0], "start")[0], step = Ops.longs(n, in[2], "delta")[0];
        long[] v = new long[len];
        for (int k = 0; k < len; k++) v[k] = first + k * step;
        return one(Tensor.ofLongs(v, len));
    }

    private static Tensor[] pad(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        String mode = n.s("mode", "constant");
        int r = x.dim();
        long[] pads = longs(n, in[1], "pads");
        if (in.length > 3 && in[3] != null) pads = padsForAxes(n, pads, longs(n, in[3], "axes"), r);
        if (pads.length != 2 * r) throw n.error("pads has " + pads.length + " values for rank " + r + " (needs " + 2 * r + ")");
        Tensor given = in.length > 2 && in[2] != null && in[2].numel() > 0 ? in[2] : null;
        if (given != null && given.numel() != 1) throw n.error("input 'constant_value' must hold one value, got shape " + Shape.str(given.shape()));
        Tensor value = given == null ? Ops.zeros(x.dtype()) : given.reshape().to(x.dtype());   // the data's dtype
        Tensor t = x;
        for (int d = 0; d < r; d++) {
            long b = pads[d], e = pads[d + r];
            if (Math.abs(b) > DataTypes.MAX_ELEMENTS || Math.abs(e) > DataTypes.MAX_ELEMENTS) throw n.error("pad " + b + ", " + e + " is too large");
            int dim = t.size(d);
            if (b < 0 || e < 0) {
                int s = (int) Math.max(0, -b), end = (int) (dim - Math.max(0, -e));
                if (end < s) throw n.error("negative pads " + b + ", " + e + " remove more than dimension " + d + " of size " + dim);
                t = t.narrow(d, s, end - s);
                dim = t.size(d);
                b = Math.max(0, b);
                e = Math.max(0, e);
            }
            if (b == 0 && e == 0) continue;
            int[] os = t.shape();
            os[d] = (int) (dim + b + e);
            Ops.checkSize(n, os);
            switch (mode) {
                case "constant" -> {
                    int[] bs = t.shape(), es = t.shape();
                    bs[d] = (int) b;
                    es[d] = (int) e;
                    t = Tensor.cat(List.of(Ops.full(value, bs), t, Ops.full(value, es)), d);
                }
                case "reflect", "edge" -> {
                    if (dim == 0) throw n.error(mode + " padding of an empty dimension");
                    if (mode.equals("reflect") && (b >= dim || e >= dim)) throw n.error("reflect pads " + b + ", " + e + " must be smaller than dimension " + dim);
                    int[] idx = new int[(int) (dim + b + e)];
                    for (int k = 0; k < idx.length; k++) {
                        int i = (int) (k - b);
                        if (mode.equals("edge")) i = Math.max(0, Math.min(dim - 1, i));
                        else i = i < 0 ? -i : (i >= dim ? 2 * (dim - 1) - i : i);
                        idx[k] = i;
                    }
                    t = t.indexSelect(d, idx);
                }
                case "wrap" -> {
                    if (n.opset < 19) throw n.error("mode 'wrap' needs opset 19 (the model imports opset " + n.opset + ")");
                    if (dim == 0) throw n.error("wrap padding of an empty dimension");
                    int[] idx = new int[(int) (dim + b + e)];
                    for (int k = 0; k < idx.length; k++) idx[k] = (int) Math.floorMod(k - b, (long) dim);
                    t = t.indexSelect(d, idx);
                }
                default -> throw n.error("mode '" + mode + "' is not supported");
            }
        }
        return one(t);
    }

    /** Opset 18's {@code axes} input: pads for the listed axes only ([begins..., ends...]), spread over all {@code rank} axes (others 0). */
    private static long[] padsForAxes(GraphNode n, long[] pads, long[] axes, int rank) {
        if (pads.length != 2 * axes.length) throw n.error("pads has " + pads.length + " values for " + axes.length + " axes " + Arrays.toString(axes) + " (needs " + 2 * axes.length + ")");
        long[] full = new long[2 * rank];
        boolean[] seen = new boolean[rank];
        for (int k = 0; k < axes.length; k++) {
            int ax = axis(n, axes[k], rank);
            if (seen[ax]) throw n.error("axis " + axes[k] + " repeated in axes " + Arrays.toString(axes));
            seen[ax] = true;
            full[ax] = pads[k];
            full[ax + rank] = pads[k + axes.length];
        }
        return full;
    }

    private static Tensor[] trilu(GraphNode n, Tensor[] in) {
        Tensor x = in[0];
        if (x.dim() < 2) throw n.error("input must have at least 2 dimensions, got " + Shape.str(x.shape()));
        long k = in.length > 1 && in[1] != null ? (long) Ops.scalar(n, in[1], "k") : 0;
        boolean upper = n.i("upper", 1) != 0;
        int rows = x.shape()[x.dim() - 2], cols = x.shape()[x.dim() - 1];
        boolean[] m = new boolean[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                long diff = (long) j - i;
                m[i * cols + j] = upper ? diff >= k : diff <= k;
            }
        }
        Tensor mask = Tensor.ofBooleans(m, rows, cols);
        return one(TypedOps.where(mask, x, Ops.zeros(x.dtype())));
    }
}
