package dev.lamina.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.backend.LossOps.CrossEntropyRows;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/**
 * The CPU's one row softmax ({@link SoftmaxKernels#softmaxRow}) against a double-precision reference, on row lengths
 * either side of the vector width, and the callers that must share its bits: the backend's softmax along any axis
 * and the cross-entropy's log-probabilities.
 */
class SoftmaxKernelsTest {
    private static final CpuBackend CPU = new CpuBackend();

    private static double[] reference(float[] x, boolean log) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : x) max = Math.max(max, v);
        for (float v : x) sum += Math.exp(v - max);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = log ? x[i] - max - Math.log(sum) : Math.exp(x[i] - max) / sum;
        return out;
    }

    @Test
    void rowsMatchDoublePrecisionOnEveryLength() {
        Rng rng = new Rng(7);
        for (int n : new int[] {1, 2, 3, 15, 16, 17, 31, 33, 100, 1000, 4099}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (rng.nextGaussian() * 4);
            for (boolean log : new boolean[] {false, true}) {
                float[] out = new float[n + 3];
                SoftmaxKernels.softmaxRow(x, 0, out, 3, n, log);
                double[] want = reference(x, log);
                double total = 0;
                for (int i = 0; i < n; i++) {
                    double tol = log ? 2e-6 * Math.max(1, Math.abs(want[i])) : 2e-6 * want[i] + 1e-12;
                    assertEquals(want[i], out[3 + i], tol, "n=" + n + " log=" + log + " at " + i);
                    total += log ? Math.exp(out[3 + i]) : out[3 + i];
                }
                assertEquals(1.0, total, 1e-5, "n=" + n + " log=" + log + ": the row sums to one");
            }
        }
    }

    @Test
    void inPlaceEqualsOutOfPlaceAndLargeValuesDoNotOverflow() {
        float[] x = {1000f, 999f, -1000f, 1000f, 0f, 3f, 2f, 1f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f};
        float[] out = new float[x.length];
        SoftmaxKernels.softmaxRow(x, 0, out, 0, x.length, false);
        float[] inPlace = x.clone();
        SoftmaxKernels.softmaxRow(inPlace, 0, inPlace, 0, inPlace.length, false);
        assertArrayEquals(out, inPlace);
        for (float v : out) assertTrue(Float.isFinite(v));
        assertEquals(0.5, out[0] + out[2], 0.1, "two equal maxima share the mass");
    }

    @Test
    void aRowWithNothingUnmaskedIsNaNAsInPyTorch() {
        float[] x = new float[20];
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
        float[] out = new float[20];
        SoftmaxKernels.softmaxRow(x, 0, out, 0, 20, false);
        for (float v : out) assertTrue(Float.isNaN(v));
    }

    @Test
    void backendSoftmaxAlongEveryAxisIsTheRowKernel() {
        Tensor x = Tensor.randn(new Rng(3), 3, 19, 5);
        for (boolean log : new boolean[] {false, true}) {
            for (int axis = 0; axis < 3; axis++) {
                Tensor moved = x.transpose(axis, 2).contiguous();            // the axis last: rows are contiguous
                float[] rows = moved.toArray();
                int n = moved.size(2);
                for (int r = 0; r < rows.length / n; r++) SoftmaxKernels.softmaxRow(rows, r * n, rows, r * n, n, log);
                Tensor want = Tensor.of(rows, moved.shape()).transpose(axis, 2).contiguous();
                assertArrayEquals(want.toArray(), CPU.softmax(x, axis, log).toArray(), "axis " + axis + " log=" + log);
            }
        }
    }

    @Test
    void crossEntropyLogProbabilitiesAreTheBackendsLogSoftmaxBitForBit() {
        Tensor logits = Tensor.randn(new Rng(11), 37, 65);
        int[] targets = new int[37];
        for (int i = 0; i < targets.length; i++) targets[i] = (i * 7) % 65;
        Tensor logp = CPU.crossEntropyIndex(logits, targets, new CrossEntropyRows(0.1, 1.0 / 37)).logProbs();
        assertArrayEquals(CPU.softmax(logits, 1, true).toArray(), logp.toArray());
    }
}
