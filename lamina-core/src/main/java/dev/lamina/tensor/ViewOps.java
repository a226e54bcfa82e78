package dev.lamina.tensor;


import java.util.Arrays;

/**
 * Views of {@link Tensor}: reshape, transpose, permute, slices, squeeze, expand. They share storage (metadata only,
 * the same on every backend); each records the gradient that undoes it.
 */
final class ViewOps {
    private ViewOps() {}

    static Tensor reshape(Tensor self, int... newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new ShapeException("reshape: only one dimension can be -1, got " + Shape.str(newShape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        int n = self.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) throw new ShapeException("reshape: cannot reshape " + Shape.str(self.shape) + " (" + n + " elements) to " + Shape.str(newShape));
            s[infer] = n / known;
        }
        if (Shape.size(s) != n) throw new ShapeException("reshape: cannot reshape " + Shape.str(self.shape) + " (" + n + " elements) to " + Shape.str(newShape));
        Tensor src = self.isContiguous() ? self : self.contiguous();
        Tensor out = src.viewOf(src.offset, s, Shape.contiguousStrides(s));
        int[] inShape = self.shape.clone();
        return Tensor.record("reshape", out, g -> new Tensor[] {g.reshape(inShape)}, src);
    }

    static Tensor view(Tensor self, int... newShape) {
        return self.reshape(newShape);
    }

    static Tensor flatten(Tensor self, int startDim, int endDim) {
        if (self.shape.length == 0) return self.reshape(1);
        int s = Shape.axis("flatten", startDim, self.shape.length), e = Shape.axis("flatten", endDim, self.shape.length);
        if (s > e) throw new IllegalArgumentException("flatten: start dimension " + startDim + " after end dimension " + endDim);
        int[] ns = new int[self.shape.length - (e - s)];
        int j = 0, prod = 1;
        for (int d = 0; d < self.shape.length; d++) {
            if (d < s || d > e) ns[j++] = self.shape[d];
            else {
                prod *= self.shape[d];
                if (d == e) ns[j++] = prod;
            }
        }
        return self.reshape(ns);
    }

    static Tensor transpose(Tensor self, int d0, int d1) {
        int[] perm = new int[self.shape.length];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int a = Shape.axis("transpose", d0, self.shape.length), b = Shape.axis("transpose", d1, self.shape.length);
        perm[a] = b;
        perm[b] = a;
        return self.permute(perm);
    }

    static Tensor t(Tensor self) {
        if (self.shape.length != 2) throw new ShapeException("t: expects a 2-D tensor, got " + Shape.str(self.shape));
        return self.transpose(0, 1);
    }

    static Tensor permute(Tensor self, int... perm) {
        if (perm.length != self.shape.length) throw new ShapeException("permute: " + perm.length + " dimensions given for a tensor of self.shape " + Shape.str(self.shape));
        int[] s = new int[perm.length], st = new int[perm.length], inverse = new int[perm.length];
        boolean[] seen = new boolean[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int p = Shape.axis("permute", perm[i], self.shape.length);
            if (seen[p]) throw new IllegalArgumentException("permute: dimension " + p + " repeated in " + Arrays.toString(perm));
            seen[p] = true;
            s[i] = self.shape[p];
            st[i] = self.strides[p];
            inverse[p] = i;
        }
        return Tensor.record("permute", self.viewOf(self.offset, s, st), g -> new Tensor[] {g.permute(inverse)}, self);
    }

    static Tensor narrow(Tensor self, int dim, int start, int length) {
        return self.slice(dim, start, start + length, 1);
    }

    static Tensor slice(Tensor self, int dim, int start, int end, int step) {
        int axis = Shape.axis("slice", dim, self.shape.length);
        int n = self.shape[axis];
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        int s = start < 0 ? start + n : start, e = end < 0 ? end + n : end;
        s = Math.max(0, Math.min(s, n));
        e = Math.max(s, Math.min(e, n));
        int len = (e - s + step - 1) / step;
        int[] ns = self.shape.clone(), nst = self.strides.clone();
        ns[axis] = len;
        nst[axis] = self.strides[axis] * step;
        Tensor out = self.viewOf(self.offset + s * self.strides[axis], ns, nst);
        int[] inShape = self.shape.clone();
        final int fs = s;
        return Tensor.record("slice", out, g -> {
            Tensor gi = self.backend.wrap(new float[Shape.size(inShape)], inShape);
            Tensor window = sliceStrides(gi.viewOf(0, ns, Shape.contiguousStrides(inShape)), axis, fs, step);
            self.backend.copyInto_(g, window);
            return new Tensor[] {gi};
        }, self);
    }

    /** Same storage, with the slice offset/stride along one axis applied to contiguous strides (no tape). */
    static Tensor sliceStrides(Tensor self, int axis, int start, int step) {
        int[] st = self.strides.clone();
        st[axis] *= step;
        return self.viewOf(self.offset + start * self.strides[axis], self.shape, st);
    }

    static Tensor select(Tensor self, int dim, int index) {
        int axis = Shape.axis("select", dim, self.shape.length);
        if (index < -self.shape[axis] || index >= self.shape[axis]) throw new IndexOutOfBoundsException("select: index " + index + " out of range for dimension " + dim + " of self.shape " + Shape.str(self.shape));
        int i = index < 0 ? index + self.shape[axis] : index;
        return self.slice(axis, i, i + 1, 1).squeeze(axis);
    }

    static Tensor squeeze(Tensor self, int dim) {
        int axis = Shape.axis("squeeze", dim, self.shape.length);
        if (self.shape[axis] != 1) return self;
        int[] s = new int[self.shape.length - 1], st = new int[self.shape.length - 1];
        for (int d = 0, j = 0; d < self.shape.length; d++) {
            if (d == axis) continue;
            s[j] = self.shape[d];
            st[j++] = self.strides[d];
        }
        int[] inShape = self.shape.clone();
        return Tensor.record("squeeze", self.viewOf(self.offset, s, st), g -> new Tensor[] {g.reshape(inShape)}, self);
    }

    static Tensor unsqueeze(Tensor self, int dim) {
        int axis = Shape.axis("unsqueeze", dim, self.shape.length + 1);
        int[] s = new int[self.shape.length + 1], st = new int[self.shape.length + 1];
        for (int d = 0, j = 0; d < s.length; d++) {
            if (d == axis) {
                s[d] = 1;
                st[d] = axis < self.shape.length ? self.strides[axis] * self.shape[axis] : 1;
            } else {
                s[d] = self.shape[j];
                st[d] = self.strides[j++];
            }
        }
        int[] inShape = self.shape.clone();
        return Tensor.record("unsqueeze", self.viewOf(self.offset, s, st), g -> new Tensor[] {g.reshape(inShape)}, self);
    }

    static Tensor expand(Tensor self, int... newShape) {
        int[] target = newShape.clone();
        int lead = target.length - self.shape.length;
        if (lead < 0) throw new ShapeException("expand: cannot expand " + Shape.str(self.shape) + " to fewer dimensions " + Shape.str(newShape));
        for (int d = 0; d < self.shape.length; d++) {
            if (target[lead + d] == -1) target[lead + d] = self.shape[d];
            if (self.shape[d] != 1 && self.shape[d] != target[lead + d]) throw new ShapeException("expand: cannot expand " + Shape.str(self.shape) + " to " + Shape.str(newShape));
        }
        if (Arrays.equals(target, self.shape)) return self;
        return Tensor.record("expand", broadcastTo(self, target), g -> new Tensor[] {g}, self);
    }

    /** Stride-0 view of this tensor as {@code target} (no tape); shapes must be broadcast-compatible. */
    static Tensor broadcastTo(Tensor self, int[] target) {
        if (Arrays.equals(target, self.shape)) return self;
        Shape.broadcast("broadcast", self.shape, target);
        return self.viewOf(self.offset, target.clone(), Shape.broadcastStrides(self.shape, self.strides, target));
    }
}
