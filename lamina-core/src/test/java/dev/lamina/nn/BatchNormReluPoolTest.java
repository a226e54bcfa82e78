package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Sequential's fused BatchNorm2d → ReLU → MaxPool2d(2) ({@link dev.lamina.nn.functional.BatchNormReluPoolOp})
 * against the same three layers run one by one (each covered by PyTorch fixtures): forward output and running
 * statistics bit-identical, gradients equal up to float rounding; training and evaluation; odd sizes; ties;
 * the same bits on 1 and 2 threads.
 */
class BatchNormReluPoolTest {
    private static final String FUSED = "batch_norm_relu_max_pool2d";

    /** Output, x grad, weight grad, bias grad, running mean, running var. */
    private static List<float[]> run(boolean fused, boolean training, Tensor x, Tensor g, int c, boolean affine) {
        BatchNorm2d bn = new BatchNorm2d(c, 1e-5, 0.1, affine, true);
        Rng rng = new Rng(5);
        if (affine) {
            bn.weight().copyFrom_(Tensor.uniform(rng, 0.5, 1.5, c));
            bn.bias().copyFrom_(Tensor.uniform(rng, -0.5, 0.5, c));
        }
        bn.runningMean().copyFrom_(Tensor.uniform(rng, -0.2, 0.2, c));
        bn.runningVar().copyFrom_(Tensor.uniform(rng, 0.5, 2, c));
        ReLU relu = new ReLU();
        MaxPool2d pool = new MaxPool2d(2);
        Sequential seq = new Sequential(bn, relu, pool);
        seq.train(training);
        Tensor xi = x.detach().requiresGrad(true);
        Tensor out = fused ? seq.forward(xi) : pool.forward(relu.forward(bn.forward(xi)));
        assertEquals(fused, FUSED.equals(out.node().op()));
        out.backward(g);
        List<float[]> r = new ArrayList<>(List.of(out.toArray(), xi.grad().toArray()));
        if (affine) {
            r.add(bn.weight().grad().toArray());
            r.add(bn.bias().grad().toArray());
        }
        r.add(bn.runningMean().toArray());
        r.add(bn.runningVar().toArray());
        return r;
    }

    private static void compare(boolean training, boolean affine, int n, int c, int h, int w, long seed) {
        Rng rng = new Rng(seed);
        Tensor x = Tensor.randn(rng, n, c, h, w);
        // Ties: a quarter of the values repeated, and some windows all negative after normalizing.
        float[] xd = x.storage();
        for (int i = 0; i + 1 < xd.length; i += 4) xd[i + 1] = xd[i];
        Tensor g = Tensor.randn(rng, n, c, h / 2, w / 2);
        List<float[]> fused = run(true, training, x, g, c, affine), plain = run(false, training, x, g, c, affine);
        String what = (training ? "train" : "eval") + " " + n + "x" + c + "x" + h + "x" + w;
        assertArrayEquals(plain.get(0), fused.get(0), what + ": output");
        int last = plain.size();
        assertArrayEquals(plain.get(last - 2), fused.get(last - 2), what + ": running_mean");
        assertArrayEquals(plain.get(last - 1), fused.get(last - 1), what + ": running_var");
        for (int k = 1; k < last - 2; k++) {
            float[] p = plain.get(k), f = fused.get(k);
            double scale = 0;
            for (float v : p) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < p.length; i++) {
                assertEquals(p[i], f[i], 1e-5 * Math.max(1, scale), what + ": gradient " + k + " at " + i);
            }
        }
    }

    @Test
    void matchesTheThreeLayersInTraining() {
        compare(true, true, 4, 3, 8, 8, 1);
        compare(true, true, 2, 5, 7, 9, 2); // odd sizes: the last row and column are in no window
        compare(true, false, 3, 2, 6, 4, 3);
        compare(true, true, 16, 8, 28, 28, 4);
    }

    @Test
    void matchesTheThreeLayersInEvaluation() {
        compare(false, true, 4, 3, 8, 8, 5);
        compare(false, true, 1, 6, 5, 6, 6);
        compare(false, false, 2, 2, 4, 4, 7);
    }

    @Test
    void gradientReachesOnlyPositiveWindowMaxima() {
        // One plane, identity affine, running statistics mean 0 / var 1−eps: y = relu(x) exactly.
        BatchNorm2d bn = new BatchNorm2d(1, 0, 0.1, false, true);
        Sequential seq = new Sequential(bn, new ReLU(), new MaxPool2d(2));
        seq.eval();
        Tensor x = Tensor.of(new float[] {1, 3, -1, -2, 2, 3, -3, -4}, 1, 1, 2, 4).requiresGrad(true);
        Tensor y = seq.forward(x);
        assertArrayEquals(new float[] {3, 0}, y.toArray());
        y.backward(Tensor.of(new float[] {10, 20}, 1, 1, 1, 2));
        // first maximum (3 at column 1) takes the gradient; the all-negative window passes none
        assertArrayEquals(new float[] {0, 10, 0, 0, 0, 0, 0, 0}, x.grad().toArray());
    }

    @Test
    void notFusedWhenThePoolIsNotTwoByTwo() {
        Sequential seq = new Sequential(new BatchNorm2d(2), new ReLU(), new MaxPool2d(3));
        Tensor y = seq.forward(Tensor.randn(new Rng(1), 2, 2, 6, 6));
        assertNotEquals(FUSED, y.node().op());
        Sequential ceil = new Sequential(new BatchNorm2d(2), new ReLU(), new MaxPool2d(new int[] {2}, null, null, null, true));
        assertNotEquals(FUSED, ceil.forward(Tensor.randn(new Rng(1), 2, 2, 5, 5)).node().op()); // ceil_mode adds a clipped window
        Sequential fused = new Sequential(new BatchNorm2d(2), new ReLU(), new MaxPool2d(new int[] {2}, null, null, null, true));
        assertEquals(FUSED, fused.forward(Tensor.randn(new Rng(1), 2, 2, 4, 4)).node().op()); // even: same windows
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        Rng rng = new Rng(9);
        Tensor x = Tensor.randn(rng, 16, 32, 16, 16), g = Tensor.randn(rng, 16, 32, 8, 8);
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> one = run(true, true, x, g, 32, true);
            Parallel.setThreads(2);
            List<float[]> two = run(true, true, x, g, 32, true);
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), "array " + i);
            assertNotEquals(0f, one.get(1)[0]);
        } finally {
            Parallel.setThreads(before);
        }
    }

    /**
     * Evaluation without gradients takes the inference path (pool, then normalize the window's maximum, or its
     * minimum under a negative weight): the same bits as the path that keeps what backward needs, on 1 and 2
     * threads, with ties, negative and zero weights, NaN and infinities, odd sizes and vector tails.
     */
    @Test
    void inferencePathGivesTheSameBits() {
        int before = Parallel.threads();
        try {
            int[][] shapes = {{1, 32, 28, 28}, {1, 64, 14, 14}, {3, 5, 7, 9}, {2, 4, 2, 2}, {1, 3, 33, 6}};
            long seed = 20;
            for (int[] sh : shapes) {
                int n = sh[0], c = sh[1];
                Rng rng = new Rng(seed++);
                BatchNorm2d bn = new BatchNorm2d(c, 1e-5, 0.1, true, true);
                bn.weight().copyFrom_(Tensor.uniform(rng, -1.5, 1.5, c));   // about half the channels take the minimum
                bn.weight().storage()[0] = 0f;
                if (c > 1) bn.weight().storage()[1] = -0f;
                bn.bias().copyFrom_(Tensor.uniform(rng, -0.5, 0.5, c));
                bn.runningMean().copyFrom_(Tensor.uniform(rng, -0.2, 0.2, c));
                bn.runningVar().copyFrom_(Tensor.uniform(rng, 0.5, 2, c));
                Sequential seq = new Sequential(bn, new ReLU(), new MaxPool2d(2));
                seq.eval();
                Tensor x = Tensor.randn(rng, sh);
                float[] xd = x.storage();
                for (int i = 0; i + 1 < xd.length; i += 4) xd[i + 1] = xd[i];   // ties
                xd[5] = Float.NaN;
                xd[xd.length / 2] = Float.POSITIVE_INFINITY;
                xd[xd.length - 3] = Float.NEGATIVE_INFINITY;
                xd[7] = -0f;
                Tensor withGrad = seq.forward(x.detach().requiresGrad(true));
                assertEquals(FUSED, withGrad.node().op());
                float[] expected = withGrad.toArray();
                for (int threads : new int[] {1, 2}) {
                    Parallel.setThreads(threads);
                    float[] inferred;
                    try (var off = dev.lamina.autograd.Autograd.noGrad()) {
                        Tensor y = seq.forward(x);
                        assertEquals(null, y.node(), "no tape without gradients");
                        inferred = y.toArray();
                    }
                    for (int i = 0; i < expected.length; i++) {
                        if (Float.isNaN(expected[i])) assertEquals(true, Float.isNaN(inferred[i]), "NaN at " + i);
                        else assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(inferred[i]),
                                java.util.Arrays.toString(sh) + " on " + threads + " threads at " + i);
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
