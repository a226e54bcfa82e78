package dev.lamina.tensor;


import java.util.Arrays;
import java.util.List;

/**
 * Joining, splitting and indexing {@link Tensor}s (cat, stack, split, chunk, gather, index_select), with their
 * gradient rules (slices of the gradient, scatter-adds through the backend). Every dtype moves through them (the
 * backend dispatches on it); index tensors are I64 or integer-valued F32.
 */
final class IndexOps {
    private IndexOps() {}

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: no tensors");
        Tensor first = tensors.get(0);
        int axis = Shape.axis("cat", dim, first.dim());
        int total = 0;
        for (Tensor t : tensors) {
            if (t.dim() != first.dim()) throw new ShapeException("cat: tensors of shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape) + " have different ranks");
            for (int d = 0; d < first.dim(); d++) {
                if (d != axis && t.shape[d] != first.shape[d]) throw new ShapeException("cat: shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape) + " differ outside dimension " + dim);
            }
            total += t.shape[axis];
        }
        int at = 0;
        int[] starts = new int[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            ElementwiseOps.sameBackend("cat", first, tensors.get(i));
            if (tensors.get(i).dtype != first.dtype) {
                throw new IllegalArgumentException("cat: tensor " + i + " is " + tensors.get(i).dtype + ", tensor 0 is " + first.dtype + "; convert them to one dtype first with .to(DType)");
            }
            starts[i] = at;
            at += tensors.get(i).shape[axis];
        }
        Tensor out = first.backend.cat(tensors, axis);
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Tensor.record("cat", out, g -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) gs[i] = g.narrow(axis, starts[i], inputs[i].shape[axis]);
            return gs;
        }, inputs);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: no tensors");
        int axis = Shape.axis("stack", dim, tensors.get(0).dim() + 1);
        for (Tensor t : tensors) {
            if (!Arrays.equals(t.shape, tensors.get(0).shape)) throw new ShapeException("stack: shapes " + Shape.str(tensors.get(0).shape) + " and " + Shape.str(t.shape) + " differ");
        }
        return Tensor.cat(tensors.stream().map(t -> t.unsqueeze(axis)).toList(), axis);
    }

    static List<Tensor> split(Tensor self, int[] sizes, int dim) {
        int axis = Shape.axis("split", dim, self.shape.length);
        int sum = 0;
        for (int s : sizes) sum += s;
        if (sum != self.shape[axis]) throw new ShapeException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + ", dimension " + dim + " of " + Shape.str(self.shape) + " has " + self.shape[axis]);
        Tensor[] parts = new Tensor[sizes.length];
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            parts[i] = self.narrow(axis, at, sizes[i]);
            at += sizes[i];
        }
        return List.of(parts);
    }

    static List<Tensor> chunk(Tensor self, int chunks, int dim) {
        int axis = Shape.axis("chunk", dim, self.shape.length);
        int each = (self.shape[axis] + chunks - 1) / chunks;
        int count = each == 0 ? 0 : (self.shape[axis] + each - 1) / each;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) sizes[i] = Math.min(each, self.shape[axis] - i * each);
        return self.split(sizes, axis);
    }

    static Tensor gather(Tensor self, int dim, Tensor index) {
        int axis = Shape.axis("gather", dim, self.shape.length);
        if (index.dim() != self.shape.length) throw new ShapeException("gather: index of self.shape " + Shape.str(index.shape) + " must have the rank of the input " + Shape.str(self.shape));
        for (int d = 0; d < self.shape.length; d++) {
            if (d != axis && index.shape[d] > self.shape[d]) throw new ShapeException("gather: index self.shape " + Shape.str(index.shape) + " exceeds input self.shape " + Shape.str(self.shape) + " in dimension " + d);
        }
        int[] idx = index.toIntArray("gather", self.shape[axis]);
        int[] outShape = index.shape.clone(), inShape = self.shape.clone();
        return Tensor.record("gather", self.backend.gather(self, axis, idx, outShape), g -> new Tensor[] {self.backend.gatherBackward(g, axis, idx, inShape)}, self);
    }

    static Tensor indexSelect(Tensor self, int dim, Tensor index) {
        if (index.dim() != 1) throw new ShapeException("index_select: index must be 1-D, got " + Shape.str(index.shape));
        int axis = Shape.axis("index_select", dim, self.shape.length);
        return self.indexSelect(axis, index.toIntArray("index_select", self.shape[axis]));
    }

    static Tensor indexSelect(Tensor self, int dim, int[] index) {
        int axis = Shape.axis("index_select", dim, self.shape.length);
        int dn = self.shape[axis];
        for (int i : index) if (i < 0 || i >= dn) throw new IndexOutOfBoundsException("index_select: index " + i + " out of range [0, " + dn + ") for dimension " + dim + " of self.shape " + Shape.str(self.shape));
        int[] inShape = self.shape.clone();
        int[] idx = index.clone();
        return Tensor.record("index_select", self.backend.indexSelect(self, axis, idx), g -> new Tensor[] {self.backend.indexSelectBackward(g, axis, idx, inShape)}, self);
    }

    static int[] toIntArray(Tensor self, String op, int bound) {
        if (self.dtype == DType.I64) {
            long[] v = self.toLongArray();
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0 || v[i] >= bound) {
                    throw new IndexOutOfBoundsException(op + ": index " + v[i] + " at position " + i + " is out of range [0, " + bound + ")");
                }
                out[i] = (int) v[i];
            }
            return out;
        }
        if (self.dtype != DType.F32) {
            throw new IllegalArgumentException(op + ": indices must be I64 (or integer-valued F32), got a " + self.dtype + " tensor of shape " + Shape.str(self.shape)
                    + "; convert with .to(DType.I64)");
        }
        float[] v = self.toArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            float f = v[i];
            if (f != Math.rint(f) || f < 0 || f >= bound) {
                throw new IndexOutOfBoundsException(op + ": index " + f + " at position " + i + " is out of range [0, " + bound + ")");
            }
            out[i] = (int) f;
        }
        return out;
    }
}
