package dev.lamina.backend;

import dev.lamina.backend.OptimizerOps.AdamStep;
import dev.lamina.backend.OptimizerOps.RmspropStep;
import dev.lamina.backend.OptimizerOps.SgdStep;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The optimizer family's default bodies (run by the reference backend, which overrides none) agree with the CPU
 * kernels over several steps, for every variant: plain, momentum, dampening, Nesterov and L2 SGD; Adam with L2,
 * AdamW, AMSGrad; RMSprop centred with momentum; and the clipping helpers. Tensors start at a storage offset, and the
 * large shape takes the CPU's vector and multi-threaded Adam path.
 */
class OptimizerOpsTest {
    private static final Backend CPU = Backends.byName("cpu"), REF = Backends.byName("reference");
    private static final int[][] SHAPES = {{5, 7}, {257, 260}};

    /** A tensor of {@code backend} holding {@code values} from storage offset 3. */
    private static Tensor at3(Backend backend, float[] values, int[] shape) {
        float[] data = new float[values.length + 3];
        System.arraycopy(values, 0, data, 3, values.length);
        return Tensor.view(backend.wrap(data, data.length), 3, shape, Shape.contiguousStrides(shape));
    }

    private static float[] randn(long seed, int n, float scale) {
        Rng rng = new Rng(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * rng.nextGaussian());
        return v;
    }

    /** The same tensors on one backend: parameter, and buffers (zeros) that a step may update. */
    private record State(Tensor p, Tensor[] buffers) {}

    private static State state(Backend backend, int[] shape, int buffers) {
        int n = Shape.size(shape);
        Tensor[] b = new Tensor[buffers];
        for (int i = 0; i < buffers; i++) b[i] = at3(backend, new float[n], shape);
        return new State(at3(backend, randn(1, n, 1), shape), b);
    }

    private interface Step {
        void apply(Backend backend, State s, Tensor g, int step);
    }

    /** Runs four steps with fresh gradients on both backends and compares the parameter and every buffer after each. */
    private static void agree(String what, int buffers, Step step) {
        for (int[] shape : SHAPES) {
            int n = Shape.size(shape);
            State cpu = state(CPU, shape, buffers), ref = state(REF, shape, buffers);
            for (int t = 1; t <= 4; t++) {
                float[] g = randn(10 + t, n, 0.5f);
                step.apply(CPU, cpu, at3(CPU, g, shape), t);
                step.apply(REF, ref, at3(REF, g, shape), t);
                close(what + " step " + t + " " + Shape.str(shape) + ": parameter", cpu.p(), ref.p());
                for (int b = 0; b < buffers; b++) close(what + " step " + t + " " + Shape.str(shape) + ": buffer " + b, cpu.buffers()[b], ref.buffers()[b]);
            }
        }
    }

    private static void close(String what, Tensor cpu, Tensor ref) {
        float[] c = cpu.toArray(), r = ref.toArray();
        assertEquals(c.length, r.length, what);
        for (int i = 0; i < c.length; i++) assertEquals(c[i], r[i], 2e-6f * (1 + Math.abs(c[i])), what + " element " + i);
    }

    @Test
    void sgdVariants() {
        agree("plain SGD with L2", 0, (b, s, g, t) -> b.sgdStep_(s.p(), g, null, new SgdStep(0.1, 0.01, 0, 0, false, false)));
        agree("momentum SGD with dampening", 1, (b, s, g, t) -> b.sgdStep_(s.p(), g, s.buffers()[0], new SgdStep(0.05, 0.02, 0.9, 0.3, false, t == 1)));
        agree("Nesterov SGD", 1, (b, s, g, t) -> b.sgdStep_(s.p(), g, s.buffers()[0], new SgdStep(0.05, 0, 0.8, 0, true, t == 1)));
    }

    @Test
    void adamVariants() {
        agree("Adam with L2", 2, (b, s, g, t) -> b.adamStep_(s.p(), g, s.buffers()[0], s.buffers()[1], null, new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0.01, false, t)));
        agree("AdamW", 2, (b, s, g, t) -> b.adamStep_(s.p(), g, s.buffers()[0], s.buffers()[1], null, new AdamStep(1e-2, 0.8, 0.99, 1e-6, 0.1, true, t)));
        agree("AMSGrad", 3, (b, s, g, t) -> b.adamStep_(s.p(), g, s.buffers()[0], s.buffers()[1], s.buffers()[2], new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0, false, t)));
    }

    @Test
    void rmspropVariants() {
        agree("RMSprop", 1, (b, s, g, t) -> b.rmspropStep_(s.p(), g, s.buffers()[0], null, null, new RmspropStep(1e-2, 0.99, 1e-8, 0.01, 0)));
        agree("centred RMSprop with momentum", 3, (b, s, g, t) -> b.rmspropStep_(s.p(), g, s.buffers()[0], s.buffers()[1], s.buffers()[2], new RmspropStep(1e-2, 0.9, 1e-6, 0, 0.5)));
    }

    @Test
    void clippingHelpers() {
        for (int[] shape : SHAPES) {
            float[] v = randn(5, Shape.size(shape), 2);
            Tensor c = at3(CPU, v, shape), r = at3(REF, v, shape);
            assertEquals(CPU.sumOfSquares(c), REF.sumOfSquares(r), 1e-6 * CPU.sumOfSquares(c), "sum of squares " + Shape.str(shape));
            each(x -> x.backend().scale_(x, 0.37f), c, r);
            close("scale_", c, r);
            each(x -> x.backend().clampSymmetric_(x, 0.5f), c, r);
            close("clampSymmetric_", c, r);
            float[] clamped = c.toArray();
            for (float f : clamped) assertEquals(true, f >= -0.5f && f <= 0.5f, "clamped value " + f);
        }
    }

    private static void each(Consumer<Tensor> f, Tensor... ts) {
        for (Tensor t : ts) f.accept(t);
    }
}
