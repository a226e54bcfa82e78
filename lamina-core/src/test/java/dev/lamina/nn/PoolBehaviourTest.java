package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.kernels.Parallel;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/** Pooling behaviour the fixtures do not cover: NaN propagation and bit-identical results across thread counts. */
class PoolBehaviourTest {

    @Test
    void maxPoolPropagatesNaNLikePyTorch() {
        float nan = Float.NaN;
        // one 2x4 plane; window 0 = {1, nan, 5, 2}, window 1 = {3, 4, 0, 7} (fused 2x2 path)
        Tensor x = Tensor.of(new float[] {1, nan, 3, 4, 5, 2, 0, 7}, 1, 1, 2, 4);
        PoolOps.WithIndices r = new MaxPool2d(2).forwardWithIndices(x);
        assertArrayEquals(new float[] {nan, 7}, r.output().toArray());
        assertArrayEquals(new float[] {1, 7}, r.indices().toArray());
        // the same values in a 3x5 plane with ceil_mode: the general path, with clipped windows on the right and bottom
        float m = -9;
        Tensor x2 = Tensor.of(new float[] {1, nan, 3, 4, m, 5, 2, 0, 7, m, m, m, m, m, m}, 1, 1, 3, 5);
        r = new MaxPool2d(new int[] {2}, null, null, null, true).forwardWithIndices(x2);
        assertArrayEquals(new int[] {1, 1, 2, 3}, r.output().shape());
        assertArrayEquals(new float[] {nan, 7, m, m, m, m}, r.output().toArray());
        assertArrayEquals(new float[] {1, 8, 4, 10, 12, 14}, r.indices().toArray());
        assertTrue(Float.isNaN(new GlobalMaxPool().forward(x).item()));
        assertTrue(Float.isNaN(new AdaptiveMaxPool2d(1).forward(x).item()));
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        List<Supplier<Module>> layers = List.of(() -> new MaxPool2d(2), () -> new MaxPool2d(3, 2, 1), () -> new AvgPool2d(3, 2, 1),
                () -> new AdaptiveAvgPool2d(5, 3), () -> new AdaptiveMaxPool2d(4), () -> new GlobalAvgPool(), () -> new GlobalMaxPool(),
                () -> new Dropout2d(0.3, new Rng(4)));
        int before = Parallel.threads();
        try {
            for (Supplier<Module> make : layers) {
                float[][] one = run(make.get(), 1), two = run(make.get(), 2);
                assertArrayEquals(one[0], two[0], make.get() + " output");
                assertArrayEquals(one[1], two[1], make.get() + " gradient");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static float[][] run(Module m, int threads) {
        Parallel.setThreads(threads);
        Tensor x = Tensor.randn(new Rng(21), 8, 16, 23, 19).requiresGrad(true);
        Tensor y = m.forward(x);
        y.backward(Tensor.randn(new Rng(22), y.shape()));
        return new float[][] {y.toArray(), x.grad().toArray()};
    }
}
