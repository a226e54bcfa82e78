package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lamina.Fixtures;
import dev.lamina.io.NpyArray;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * Inputs large enough for the normalization kernels to split work across threads: the fused ops agree with the same
 * normalization composed from primitive tensor ops, and give bit-identical results on 1 and 2 threads. (Shapes are
 * chosen so that each kernel's forRange really makes two chunks.)
 */
class NormParallelTest {

    /** Output and every gradient (input first, then the module's parameters), flattened. */
    private static List<float[]> run(Supplier<Module> make, Tensor x, Tensor gout) {
        Module m = make.get();
        Rng rng = new Rng(7);
        for (Tensor p : m.parameters()) p.copyFrom_(Tensor.uniform(rng, 0.5, 1.5, p.shape()));
        Tensor xi = x.detach().requiresGrad(true);
        Tensor out = m.forward(xi);
        out.backward(gout);
        List<float[]> r = new ArrayList<>(List.of(out.toArray(), xi.grad().toArray()));
        for (Tensor p : m.parameters()) r.add(p.grad().toArray());
        return r;
    }

    private static void sameOnOneAndTwoThreads(Supplier<Module> make, int... shape) {
        Rng rng = new Rng(3);
        Tensor x = Tensor.randn(rng, shape), g = Tensor.randn(rng, shape);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> one = run(make, x, g);
            Parallel.setThreads(2);
            List<float[]> two = run(make, x, g);
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), "array " + i);
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void deterministicAcrossThreadCounts() {
        sameOnOneAndTwoThreads(() -> new BatchNorm2d(32), 8, 32, 16, 16);
        sameOnOneAndTwoThreads(() -> new BatchNorm1d(64), 512, 64);
        sameOnOneAndTwoThreads(() -> new LayerNorm(64), 300, 64);
        sameOnOneAndTwoThreads(() -> new GroupNorm(4, 32), 8, 32, 16, 16);
        sameOnOneAndTwoThreads(() -> new InstanceNorm2d(32, 1e-5, true), 8, 32, 16, 16);
        sameOnOneAndTwoThreads(() -> new RMSNorm(64), 300, 64);
    }

    /** The layer's output and x, weight, bias gradients against {@code composed} built from primitive ops. */
    private static void matchesComposed(String what, Module m, Tensor x, Tensor w, Tensor b,
                                        java.util.function.Function<Tensor[], Tensor> composed) {
        Tensor g = Tensor.randn(new Rng(11), x.shape());
        Tensor wm = m.namedParameters().get("weight"), bm = m.namedParameters().get("bias");
        wm.copyFrom_(w);
        bm.copyFrom_(b);
        Tensor xa = x.detach().requiresGrad(true), xb = x.detach().requiresGrad(true);
        Tensor wb = w.detach().requiresGrad(true), bb = b.detach().requiresGrad(true);
        Tensor out = m.forward(xa), ref = composed.apply(new Tensor[] {xb, wb, bb});
        out.backward(g);
        ref.backward(g);
        Fixtures.assertClose(what + " out", npy(ref), out);
        Fixtures.assertClose(what + " grad x", npy(xb.grad()), xa.grad());
        Fixtures.assertClose(what + " grad weight", npy(wb.grad()), wm.grad());
        Fixtures.assertClose(what + " grad bias", npy(bb.grad()), bm.grad());
    }

    private static Tensor normalize(Tensor x, int[] dims, double eps) {
        return x.sub(x.mean(dims, true)).div(x.var(dims, false, true).add((float) eps).sqrt());
    }

    @Test
    void largeInputsMatchComposedOps() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, 8, 32, 16, 16).mul(2f).add(0.5f);
        Tensor w = Tensor.uniform(rng, 0.5, 1.5, 32), b = Tensor.randn(rng, 32);
        matchesComposed("batch_norm", new BatchNorm2d(32), x, w, b,
                t -> normalize(t[0], new int[] {0, 2, 3}, 1e-5).mul(t[1].reshape(1, 32, 1, 1)).add(t[2].reshape(1, 32, 1, 1)));
        matchesComposed("group_norm", new GroupNorm(4, 32), x, w, b,
                t -> normalize(t[0].reshape(8, 4, 8 * 256), new int[] {2}, 1e-5).reshape(8, 32, 16, 16)
                        .mul(t[1].reshape(1, 32, 1, 1)).add(t[2].reshape(1, 32, 1, 1)));
        matchesComposed("instance_norm", new InstanceNorm2d(32, 1e-5, true), x, w, b,
                t -> normalize(t[0], new int[] {2, 3}, 1e-5).mul(t[1].reshape(1, 32, 1, 1)).add(t[2].reshape(1, 32, 1, 1)));
        Tensor xl = Tensor.randn(rng, 300, 64);
        Tensor wl = Tensor.uniform(rng, 0.5, 1.5, 64), bl = Tensor.randn(rng, 64);
        matchesComposed("layer_norm", new LayerNorm(64), xl, wl, bl, t -> normalize(t[0], new int[] {1}, 1e-5).mul(t[1]).add(t[2]));
        matchesComposed("batch_norm_1d", new BatchNorm1d(64), xl, wl, bl, t -> normalize(t[0], new int[] {0}, 1e-5).mul(t[1]).add(t[2]));
    }

    private static NpyArray npy(Tensor t) {
        return new NpyArray("<f4", t.shape(), t.toArray());
    }
}
