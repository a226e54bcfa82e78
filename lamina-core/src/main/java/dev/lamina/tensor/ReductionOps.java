package dev.lamina.tensor;

import dev.lamina.backend.TensorOps;

import java.util.Arrays;

/**
 * Reductions of {@link Tensor} (sums, means, variance, extrema, log-sum-exp, the reverse of broadcasting) and
 * softmax; each gradient rule beside its forward.
 */
final class ReductionOps {
    private ReductionOps() {}

    static Tensor sum(Tensor self) {
        if (self.dtype != DType.F32) Tensor.requireFloat("sum", self);
        double s = self.backend.sumAll(self);
        int[] inShape = self.shape.clone();
        return Tensor.record("sum", self.backend.wrap(new float[] {(float) s}), g -> new Tensor[] {g.expand(inShape)}, self);
    }

    static Tensor mean(Tensor self) {
        if (self.dtype != DType.F32) Tensor.requireFloat("mean", self);
        return self.sum().div(Math.max(self.numel(), 1));
    }

    static Tensor sum(Tensor self, int dim, boolean keepDim) {
        return self.sum(new int[] {dim}, keepDim);
    }

    static Tensor sum(Tensor self, int[] dims, boolean keepDim) {
        if (self.dtype != DType.F32) Tensor.requireFloat("sum", self);
        boolean[] reduce = reducedAxes(self, "sum", dims);
        Tensor out = self;
        for (int d = self.shape.length - 1; d >= 0; d--) {
            if (reduce[d]) out = sumAxisKeep(out, d);
        }
        if (!keepDim) out = dropAxes(out, reduce);
        return out;
    }

    static Tensor mean(Tensor self, int dim, boolean keepDim) {
        return self.mean(new int[] {dim}, keepDim);
    }

    static Tensor mean(Tensor self, int[] dims, boolean keepDim) {
        if (self.dtype != DType.F32) Tensor.requireFloat("mean", self);
        boolean[] reduce = reducedAxes(self, "mean", dims);
        int count = 1;
        for (int d = 0; d < self.shape.length; d++) if (reduce[d]) count *= self.shape[d];
        return self.sum(dims, keepDim).div(Math.max(count, 1));
    }

    static Tensor var(Tensor self, int[] dims, boolean unbiased, boolean keepDim) {
        if (self.dtype != DType.F32) Tensor.requireFloat("var", self);
        boolean[] reduce = reducedAxes(self, "var", dims);
        int count = 1;
        for (int d = 0; d < self.shape.length; d++) if (reduce[d]) count *= self.shape[d];
        Tensor centered = self.sub(self.mean(dims, true));
        return centered.square().sum(dims, keepDim).div(Math.max(unbiased ? count - 1 : count, 1));
    }

    static Tensor var(Tensor self, int dim, boolean unbiased, boolean keepDim) {
        return self.var(new int[] {dim}, unbiased, keepDim);
    }

    static Tensor std(Tensor self, int dim, boolean unbiased, boolean keepDim) {
        return self.var(dim, unbiased, keepDim).sqrt();
    }

    static Tensor max(Tensor self) {
        return self.reshape(-1).max(0, false);
    }

    static Tensor max(Tensor self, int dim, boolean keepDim) {
        return extremum(self, "max", dim, keepDim, true);
    }

    static Tensor min(Tensor self, int dim, boolean keepDim) {
        return extremum(self, "min", dim, keepDim, false);
    }

    static Tensor argmax(Tensor self, int dim, boolean keepDim) {
        return argExtremum(self, "argmax", dim, keepDim, true);
    }

    static Tensor argmin(Tensor self, int dim, boolean keepDim) {
        return argExtremum(self, "argmin", dim, keepDim, false);
    }

    static Tensor logSumExp(Tensor self, int dim, boolean keepDim) {
        if (self.dtype != DType.F32) Tensor.requireFloat("logsumexp", self);
        Tensor m = self.max(dim, true).detach();
        Tensor out = self.sub(m).exp().sum(dim, true).log().add(m);
        return keepDim ? out : out.squeeze(dim);
    }

    static boolean[] reducedAxes(Tensor self, String op, int[] dims) {
        boolean[] reduce = new boolean[self.shape.length];
        for (int d : dims) {
            int a = Shape.axis(op, d, self.shape.length);
            if (reduce[a]) throw new IllegalArgumentException(op + ": dimension " + d + " listed twice");
            reduce[a] = true;
        }
        return reduce;
    }

    static Tensor dropAxes(Tensor self, boolean[] drop) {
        int kept = 0;
        for (boolean b : drop) if (!b) kept++;
        int[] s = new int[kept];
        int j = 0;
        for (int d = 0; d < self.shape.length; d++) if (!drop[d]) s[j++] = self.shape[d];
        return self.reshape(s);
    }

    /** Sum over one axis, keeping it with size 1. */
    static Tensor sumAxisKeep(Tensor self, int axis) {
        int[] inShape = self.shape.clone();
        return Tensor.record("sum", self.backend.sumAxis(self, axis), g -> new Tensor[] {g.expand(inShape)}, self);
    }

    static Tensor extremum(Tensor self, String op, int dim, boolean keepDim, boolean isMax) {
        if (self.dtype != DType.F32) Tensor.requireFloat(op, self);
        int axis = Shape.axis(op, dim, self.shape.length);
        if (self.shape[axis] == 0) throw new ShapeException(op + ": cannot reduce an empty dimension " + axis + " of self.shape " + Shape.str(self.shape));
        TensorOps.Extremum e = self.backend.extremum(self, axis, isMax);
        int[] inShape = self.shape.clone();
        Tensor out = Tensor.record(op, e.values(), g -> {
            int[] idx = e.indices().toIntArray(op, inShape[axis]);
            return new Tensor[] {self.backend.gatherBackward(g.reshape(e.indices().shape), axis, idx, inShape)};
        }, self);
        return keepDim ? out : out.squeeze(axis);
    }

    static Tensor argExtremum(Tensor self, String op, int dim, boolean keepDim, boolean isMax) {
        if (self.dtype != DType.F32) Tensor.requireFloat(op, self);
        int axis = Shape.axis(op, dim, self.shape.length);
        if (self.shape[axis] == 0) throw new ShapeException(op + ": cannot reduce an empty dimension " + axis + " of self.shape " + Shape.str(self.shape));
        Tensor out = self.backend.extremum(self, axis, isMax).indices();
        return keepDim ? out : out.squeeze(axis);
    }

    static Tensor sumTo(Tensor self, int[] target) {
        if (self.dtype != DType.F32) Tensor.requireFloat("sumTo", self);
        if (Arrays.equals(self.shape, target)) return self;
        int lead = self.shape.length - target.length;
        if (lead < 0) throw new ShapeException("sumTo: cannot reduce self.shape " + Shape.str(self.shape) + " to the larger " + Shape.str(target));
        int count = 0;
        for (int d = 0; d < self.shape.length; d++) {
            if (d < lead || (target[d - lead] == 1 && self.shape[d] != 1)) count++;
            else if (target[d - lead] != self.shape[d]) throw new ShapeException("sumTo: self.shape " + Shape.str(self.shape) + " is not a broadcast of " + Shape.str(target));
        }
        int[] dims = new int[count];
        int j = 0;
        for (int d = 0; d < self.shape.length; d++) if (d < lead || (target[d - lead] == 1 && self.shape[d] != 1)) dims[j++] = d;
        return self.sum(dims, true).reshape(target);
    }

    static Tensor softmax(Tensor self, int dim) {
        int axis = Shape.axis("softmax", dim, self.shape.length);
        Tensor y = softmaxCore(self, axis, false);
        return Tensor.record("softmax", y, g -> {
            // dx = y * (g - self.sum(g * y, dim))
            Tensor gy = g.mul(y);
            return new Tensor[] {gy.sub(y.mul(gy.sum(axis, true)))};
        }, self);
    }

    static Tensor logSoftmax(Tensor self, int dim) {
        int axis = Shape.axis("log_softmax", dim, self.shape.length);
        Tensor y = softmaxCore(self, axis, true);
        return Tensor.record("log_softmax", y, g -> {
            // dx = g - softmax * self.sum(g, dim)
            Tensor p = y.exp();
            return new Tensor[] {g.sub(p.mul(g.sum(axis, true)))};
        }, self);
    }

    static Tensor softmaxCore(Tensor self, int axis, boolean log) {
        if (self.dtype != DType.F32) Tensor.requireFloat(log ? "log_softmax" : "softmax", self);
        return self.backend.softmax(self, axis, log);
    }
}
