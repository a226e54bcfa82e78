package dev.lamina.backend;

import dev.lamina.kernels.Activation;
import dev.lamina.nn.functional.ConvOp;
import dev.lamina.nn.functional.ConvTranspose2dOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ConvOps}' default bodies (what the reference backend runs) against the CPU backend's kernels on the paths the
 * PyTorch fixtures do not reach: the direct depthwise kernel with channel multipliers, the small-column kernel, 1×1
 * identity columns, batch-1 shared im2col, wide groups, the fused epilogue with a residual, a prepared weight, and
 * transposed convolutions whose output padding exceeds their padding. Output and every gradient must agree up to
 * float rounding.
 */
class ConvOpsDefaultsTest {
    private static final Backend CPU = Backends.byName("cpu"), REFERENCE = Backends.byName("reference");

    /** Runs {@code op} on fresh leaves with the given values on one backend; returns output, then each leaf's gradient. */
    private static List<float[]> run(Backend backend, float[][] values, int[][] shapes, float[] seed, Function<Tensor[], Tensor> op) {
        return Backends.using(backend, () -> {
            Tensor[] in = new Tensor[values.length];
            for (int i = 0; i < in.length; i++) in[i] = values[i] == null ? null : Tensor.of(values[i].clone(), shapes[i]).requiresGrad(true);
            Tensor y = op.apply(in);
            assertEquals(backend.name(), y.backend().name());
            y.backward(Tensor.of(seed.clone(), y.shape()));
            List<float[]> out = new ArrayList<>(List.of(y.toArray()));
            for (Tensor t : in) if (t != null) out.add(t.grad().toArray());
            return out;
        });
    }

    private static void compare(String what, int[][] shapes, int[] outShape, boolean bias, Function<Tensor[], Tensor> op) {
        Rng rng = new Rng(what.hashCode());
        float[][] values = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) values[i] = i == 2 && !bias ? null : Tensor.randn(rng, shapes[i]).toArray();
        float[] seed = Tensor.randn(rng, outShape).toArray();
        List<float[]> cpu = run(CPU, values, shapes, seed, op), ref = run(REFERENCE, values, shapes, seed, op);
        assertEquals(cpu.size(), ref.size(), what);
        for (int k = 0; k < cpu.size(); k++) close(what + (k == 0 ? " output" : " gradient " + k), cpu.get(k), ref.get(k));
    }

    private static void close(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], 2e-5 * scale, what + " at " + i);
    }

    /** {n, c, h, w, oc, kh, kw, sh, sw, pt, pb, pl, pr, dh, dw, groups} */
    private static final int[][] CONVS = {
            {2, 4, 9, 8, 8, 3, 3, 2, 1, 1, 2, 0, 1, 1, 2, 4},   // depthwise, multiplier 2, stride, asymmetric padding, dilation
            {1, 6, 7, 7, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 6},   // depthwise, batch 1
            {3, 1, 10, 9, 5, 3, 3, 1, 2, 1, 1, 1, 1, 2, 1, 1},  // small column matrix (9 rows)
            {1, 8, 6, 5, 12, 3, 2, 1, 1, 1, 0, 0, 1, 1, 1, 2},  // batch 1: shared im2col, groups
            {2, 6, 5, 6, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3},   // 1×1: the image is the column matrix
            {2, 5, 6, 6, 40, 2, 2, 3, 3, 0, 1, 1, 0, 1, 1, 1},  // more output channels than rows (transposed weight gradient), stride > kernel
    };

    @Test
    void convolutionMatchesTheCpuKernels() {
        for (int[] k : CONVS) {
            int n = k[0], c = k[1], h = k[2], w = k[3], oc = k[4], kh = k[5], kw = k[6], g = k[15];
            int oh = (h + k[9] + k[10] - k[13] * (kh - 1) - 1) / k[7] + 1, ow = (w + k[11] + k[12] - k[14] * (kw - 1) - 1) / k[8] + 1;
            int[][] shapes = {{n, c, h, w}, {oc, c / g, kh, kw}, {oc}};
            for (boolean bias : new boolean[] {true, false}) {
                compare(java.util.Arrays.toString(k) + " bias " + bias, shapes, new int[] {n, oc, oh, ow}, bias,
                        t -> ConvOp.conv2d(t[0], t[1], t[2], k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14], g));
            }
        }
    }

    @Test
    void fusedEpilogueAndPreparedWeightMatchTheCpuKernels() {
        for (int[] k : CONVS) {
            int n = k[0], c = k[1], h = k[2], w = k[3], oc = k[4], kh = k[5], kw = k[6], g = k[15];
            int oh = (h + k[9] + k[10] - k[13] * (kh - 1) - 1) / k[7] + 1, ow = (w + k[11] + k[12] - k[14] * (kw - 1) - 1) / k[8] + 1;
            Rng rng = new Rng(k.length + oc);
            float[] x = Tensor.randn(rng, n, c, h, w).toArray(), wt = Tensor.randn(rng, oc, c / g, kh, kw).toArray(), b = Tensor.randn(rng, oc).toArray();
            float[] r = Tensor.randn(rng, n, oc, oh, ow).toArray();
            float[][] out = new float[4][];
            int i = 0;
            for (Backend backend : new Backend[] {CPU, REFERENCE}) {
                float[][] both = Backends.using(backend, () -> {
                    Tensor xt = Tensor.of(x.clone(), n, c, h, w), wtt = Tensor.of(wt.clone(), oc, c / g, kh, kw), bt = Tensor.of(b.clone(), oc);
                    ConvEpilogue ep = new ConvEpilogue(Activation.CLIP, -0.5f, 1.5f, Tensor.of(r.clone(), n, oc, oh, ow));
                    Tensor fused = ConvOp.conv2d(xt, wtt, bt, k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14], g, ep);
                    Tensor prepared = ConvOp.conv2d(xt, ConvOp.prepare(wtt, g), bt, k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14],
                            ConvEpilogue.of(Activation.SILU));
                    assertEquals(backend.name(), fused.backend().name());
                    return new float[][] {fused.toArray(), prepared.toArray()};
                });
                out[i++] = both[0];
                out[i++] = both[1];
            }
            String what = java.util.Arrays.toString(k);
            close(what + " fused", out[0], out[2]);
            close(what + " prepared", out[1], out[3]);
            // the fused epilogue is act(conv + residual): at least one value is clipped, or the test proves little
            boolean clipped = false;
            for (float v : out[2]) clipped |= v == 1.5f || v == -0.5f;
            assertTrue(clipped, what);
        }
    }

    /** {n, c, h, w, oc, kh, kw, sh, sw, ph, pw, oph, opw, dh, dw, groups} */
    private static final int[][] TRANSPOSED = {
            {2, 4, 3, 4, 6, 3, 3, 2, 3, 0, 1, 1, 2, 1, 1, 2},   // output padding above the padding
            {1, 3, 5, 4, 2, 2, 3, 1, 1, 1, 0, 0, 0, 2, 1, 1},   // dilation, batch 1
            {2, 6, 4, 4, 3, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3},   // 1×1, groups
            {3, 2, 4, 3, 5, 3, 2, 3, 2, 1, 0, 2, 1, 1, 1, 1},   // stride 3 with output padding 2
    };

    @Test
    void transposedConvolutionMatchesTheCpuKernels() {
        for (int[] k : TRANSPOSED) {
            int n = k[0], c = k[1], h = k[2], w = k[3], oc = k[4], kh = k[5], kw = k[6], g = k[15];
            int oh = ConvTranspose2dOp.outputSize(h, kh, k[7], k[9], k[11], k[13]), ow = ConvTranspose2dOp.outputSize(w, kw, k[8], k[10], k[12], k[14]);
            int[][] shapes = {{n, c, h, w}, {c, oc / g, kh, kw}, {oc}};
            for (boolean bias : new boolean[] {true, false}) {
                compare(java.util.Arrays.toString(k) + " bias " + bias, shapes, new int[] {n, oc, oh, ow}, bias,
                        t -> ConvTranspose2dOp.convTranspose2d(t[0], t[1], t[2], new int[] {k[7], k[8]}, new int[] {k[9], k[10]},
                                new int[] {k[11], k[12]}, new int[] {k[13], k[14]}, g));
            }
        }
    }

    @Test
    void theReferenceBackendRunsTheDefaults() {
        // the reference backend overrides no module op: what it runs is ConvOps' default body
        assertTrue(CPU instanceof dev.lamina.backend.cpu.CpuConvOps);
        assertTrue(!(REFERENCE instanceof dev.lamina.backend.cpu.CpuConvOps));
        Tensor[] y = Backends.using(REFERENCE, () -> {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), w = Tensor.of(new float[] {1, 10}, 1, 1, 1, 2);
            return new Tensor[] {ConvOp.conv2d(x, w, null)};
        });
        assertArrayEquals(new float[] {21, 43}, y[0].toArray());
    }
}
