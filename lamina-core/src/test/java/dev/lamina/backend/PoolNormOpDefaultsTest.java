package dev.lamina.backend;

import dev.lamina.nn.functional.BatchNormOp;
import dev.lamina.nn.functional.BatchNormReluPoolOp;
import dev.lamina.nn.functional.ChannelDropoutOp;
import dev.lamina.nn.functional.NormOp;
import dev.lamina.nn.functional.PoolOps;
import dev.lamina.nn.functional.UpsampleOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The default bodies of the pooling, normalization, resampling and channel-dropout families (what the reference
 * backend runs) agree with the CPU's kernels on the cases the PyTorch fixtures do not reach: dilation with ceil mode
 * and padding, uneven adaptive bins, the running buffers of batch norm, the fused batch norm → ReLU → max pool in
 * training and evaluation, group and RMS norm gradients, bilinear with align_corners, a dropped plane holding NaN.
 * Each case returns its outputs, max-pool indices and input gradients; they must match element by element.
 */
class PoolNormOpDefaultsTest {
    private static final Backend CPU = Backends.byName("cpu"), REF = Backends.byName("reference");

    /** Runs {@code body} on each backend with the same random inputs and compares what it returns. */
    private static void agree(String what, Function<Rng, List<Tensor>> body) {
        List<Tensor> c = Backends.using(CPU, () -> body.apply(new Rng(11))), r = Backends.using(REF, () -> body.apply(new Rng(11)));
        assertEquals(c.size(), r.size(), what);
        for (int i = 0; i < c.size(); i++) {
            assertSame(REF, r.get(i).backend(), what + ": result " + i + " left the reference backend");
            float[] a = c.get(i).toArray(), b = r.get(i).toArray();
            assertEquals(a.length, b.length, what + ": result " + i + " size");
            for (int j = 0; j < a.length; j++) {
                if (Float.isNaN(a[j]) || Float.isNaN(b[j])) assertEquals(Float.isNaN(a[j]), Float.isNaN(b[j]), what + ": result " + i + " element " + j);
                else assertEquals(a[j], b[j], 2e-5f * (1 + Math.abs(a[j])), what + ": result " + i + " element " + j);
            }
        }
    }

    private static Tensor input(Rng rng, int... shape) {
        return Tensor.randn(rng, shape).requiresGrad(true);
    }

    /** y, then x's (and the other leaves') gradients of Σ y·seed. */
    private static List<Tensor> withGrads(Rng rng, Tensor y, Tensor... leaves) {
        y.mul(Tensor.randn(rng, y.shape())).sum().backward();
        List<Tensor> out = new ArrayList<>(List.of(y));
        for (Tensor t : leaves) out.add(t.grad());
        return out;
    }

    @Test
    void maxPoolWithDilationPaddingAndCeilMode() {
        agree("max_pool2d", rng -> {
            Tensor x = input(rng, 2, 3, 9, 8);
            PoolOps.WithIndices p = PoolOps.maxPool("t", x, PoolOps.window2d("t", new int[] {3, 2}, new int[] {2, 3}, new int[] {1, 1}, new int[] {2, 1}, true));
            List<Tensor> out = withGrads(rng, p.output(), x);
            out.add(p.indices());
            return out;
        });
        agree("max_pool1d values", rng -> List.of(PoolOps.maxPoolValues("t", Tensor.randn(rng, 2, 3, 11), PoolOps.window1d("t", 3, 2, 1, 2, true))));
    }

    @Test
    void averagePoolsAndAdaptivePools() {
        agree("avg_pool2d", rng -> {
            Tensor x = input(rng, 2, 2, 7, 6);
            return withGrads(rng, PoolOps.avgPool("t", x, PoolOps.window2d("t", new int[] {3}, new int[] {2}, new int[] {1}, null, true), false), x);
        });
        agree("adaptive_avg_pool2d", rng -> {
            Tensor x = input(rng, 2, 3, 7, 5);
            return withGrads(rng, PoolOps.adaptiveAvgPool2d(x, 3, 4), x);
        });
        agree("adaptive_max_pool2d", rng -> {
            Tensor x = input(rng, 3, 5, 7);
            PoolOps.WithIndices p = PoolOps.adaptiveMaxPool2d("t", x, 4, 3);
            List<Tensor> out = withGrads(rng, p.output(), x);
            out.add(p.indices());
            return out;
        });
        agree("global pools", rng -> {
            Tensor x = input(rng, 2, 3, 4, 5);
            return withGrads(rng, PoolOps.globalMaxPool(x, true).add(PoolOps.globalAvgPool(x, true)), x);
        });
    }

    @Test
    void batchNormUpdatesItsRunningBuffersAlike() {
        for (int[] shape : new int[][] {{6, 4}, {3, 4, 5, 3}}) {
            agree("batch_norm " + shape.length + "-d", rng -> {
                Tensor x = input(rng, shape), w = input(rng, 4), b = input(rng, 4);
                Tensor rm = Tensor.randn(rng, 4), rv = Tensor.rand(rng, 4).add(0.5f);
                List<Tensor> out = withGrads(rng, BatchNormOp.batchNorm(x, rm, rv, w, b, true, 0.3, 1e-5), x, w, b);
                out.add(rm);
                out.add(rv);
                Tensor xe = input(rng, shape);
                out.addAll(withGrads(rng, BatchNormOp.batchNorm(xe, rm, rv, w, b, false, 0.3, 1e-5), xe));
                return out;
            });
        }
    }

    @Test
    void fusedBatchNormReluMaxPool() {
        agree("batch_norm_relu_max_pool2d", rng -> {
            Tensor x = input(rng, 2, 3, 6, 7), w = input(rng, 3), b = input(rng, 3);
            Tensor rm = Tensor.zeros(3), rv = Tensor.ones(3);
            List<Tensor> out = withGrads(rng, BatchNormReluPoolOp.forward(x, rm, rv, w, b, true, 0.1, 1e-5), x, w, b);
            out.add(rm);
            out.add(rv);
            out.add(BatchNormReluPoolOp.forward(Tensor.randn(rng, 2, 3, 6, 7), rm, rv, w.detach().neg(), b.detach(), false, 0.1, 1e-5));
            return out;
        });
    }

    @Test
    void rowNorms() {
        agree("group_norm", rng -> {
            Tensor x = input(rng, 2, 6, 3, 2), w = input(rng, 6), b = input(rng, 6);
            return withGrads(rng, NormOp.groupNorm(x, 3, w, b, 1e-5), x, w, b);
        });
        agree("rms_norm", rng -> {
            Tensor x = input(rng, 3, 2, 5), w = input(rng, 2, 5);
            return withGrads(rng, NormOp.rmsNorm(x, new int[] {2, 5}, w, 1e-6), x, w);
        });
        agree("layer_norm and instance_norm without affine", rng -> {
            Tensor x = input(rng, 2, 3, 4);
            return withGrads(rng, NormOp.layerNorm(x, new int[] {4}, null, null, 1e-5).add(NormOp.instanceNorm(x, null, null, 1e-5)), x);
        });
    }

    @Test
    void resampling() {
        agree("bilinear, align_corners", rng -> {
            Tensor x = input(rng, 2, 3, 4, 5);
            return withGrads(rng, UpsampleOp.interpolate("t", x, new int[] {7, 3}, null, UpsampleOp.Mode.BILINEAR, true), x);
        });
        agree("nearest 1-d", rng -> {
            Tensor x = input(rng, 2, 3, 5);
            return withGrads(rng, UpsampleOp.interpolate("t", x, null, new double[] {2.5}, UpsampleOp.Mode.NEAREST, null), x);
        });
    }

    @Test
    void channelDropoutZeroesADroppedPlaneEvenWhereItHoldsNaN() {
        agree("dropout2d", rng -> {
            float[] v = Tensor.randn(rng, 2, 2, 3).toArray();
            v[0] = Float.NaN;
            Tensor x = Tensor.of(v, 2, 2, 3).requiresGrad(true);
            return withGrads(rng, ChannelDropoutOp.scaleChannels(x, new float[] {0f, 2f, 2f, 0f}), x);
        });
    }
}
