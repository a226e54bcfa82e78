package dev.lamina.autograd;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.function.Function;

/**
 * Finite-difference gradient check. Tensors are float32, so the function runs in float32; the check projects
 * the output on a fixed random direction r, accumulates ⟨f(x ± h), r⟩ in float64, and compares the central
 * difference with the analytic gradient from backward(). Step and tolerance are sized for float32.
 */
public final class GradCheck {
    private GradCheck() {}

    /** The worst mismatch found and where. */
    public record Result(double maxError, int input, int index, double analytic, double numeric) {
        public boolean passed(double tolerance) {
            return maxError <= tolerance;
        }
    }

    /**
     * Compares analytic and numeric gradients of {@code f} w.r.t. every input. Error per element is
     * |a − n| / max(1, |a|, |n|).
     *
     * @param step finite-difference step (1e-2 to 1e-3 suits float32)
     */
    public static Result check(Function<Tensor[], Tensor> f, double step, Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) leaves[i] = Tensor.of(inputs[i].toArray(), inputs[i].shape()).requiresGrad(true);
        Tensor out = f.apply(leaves);
        Tensor direction = Tensor.randn(new Rng(1234), out.shape());
        out.mul(direction).sum().backward();
        Result worst = new Result(0, -1, -1, 0, 0);
        for (int i = 0; i < leaves.length; i++) {
            // perturb a host copy of the input one element at a time and write it back into the leaf
            Tensor leaf = leaves[i];
            float[] x = leaf.toArray();
            Tensor grad = leaf.grad();
            float[] analytic = grad == null ? new float[x.length] : grad.toArray();
            for (int k = 0; k < x.length; k++) {
                float saved = x[k];
                x[k] = (float) (saved + step);
                leaf.copyFrom_(Tensor.of(x, leaf.shape()));
                double plus = project(f, leaves, direction);
                x[k] = (float) (saved - step);
                leaf.copyFrom_(Tensor.of(x, leaf.shape()));
                double minus = project(f, leaves, direction);
                double h = ((double) (float) (saved + step) - (double) (float) (saved - step));
                x[k] = saved;
                leaf.copyFrom_(Tensor.of(x, leaf.shape()));
                double numeric = (plus - minus) / h;
                double err = Math.abs(analytic[k] - numeric) / Math.max(1, Math.max(Math.abs(analytic[k]), Math.abs(numeric)));
                if (err > worst.maxError()) worst = new Result(err, i, k, analytic[k], numeric);
            }
        }
        return worst;
    }

    private static double project(Function<Tensor[], Tensor> f, Tensor[] leaves, Tensor direction) {
        try (var ignored = Autograd.noGrad()) {
            Tensor out = f.apply(leaves);
            if (!java.util.Arrays.equals(out.shape(), direction.shape())) {
                throw new IllegalStateException("GradCheck: output shape changed from " + Shape.str(direction.shape()) + " to " + Shape.str(out.shape()));
            }
            float[] o = out.toArray(), r = direction.toArray();
            double s = 0;
            for (int i = 0; i < o.length; i++) s += (double) o[i] * r[i];
            return s;
        }
    }
}
