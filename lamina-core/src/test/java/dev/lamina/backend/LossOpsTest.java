package dev.lamina.backend;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cross-entropy family's default bodies (what the reference backend runs) against the CPU kernels on what the
 * fixtures reach only in part: label smoothing with ignored rows, probability targets with smoothing, a row scale.
 */
class LossOpsTest {
    private final Backend cpu = Backends.byName("cpu"), ref = Backends.byName("reference");

    private static void close(Tensor want, Tensor got, String what) {
        float[] w = want.toArray(), g = got.toArray();
        assertEquals(w.length, g.length, what);
        for (int i = 0; i < w.length; i++) assertEquals(w[i], g[i], 1e-5f * (1 + Math.abs(w[i])), what + " element " + i);
    }

    @Test
    void indexTargetsWithSmoothingAndIgnoredRows() {
        int n = 7, c = 5;
        int[] target = {0, 4, -1, 2, 2, -1, 1};
        LossOps.CrossEntropyRows o = new LossOps.CrossEntropyRows(0.15, 1.0 / 5);
        Tensor[] r = new Tensor[4];
        int k = 0;
        for (Backend b : new Backend[] {cpu, ref}) {
            Tensor logits = Backends.using(b, () -> Tensor.randn(new Rng(11), n, c).mul(3f));
            Tensor g = Backends.using(b, () -> Tensor.randn(new Rng(12), n));
            LossOps.CrossEntropySaved s = b.crossEntropyIndex(logits, target, o);
            r[k++] = s.loss();
            r[k++] = b.crossEntropyIndexBackward(s, target, o, g);
        }
        close(r[0], r[2], "loss");
        close(r[1], r[3], "gradient");
        assertEquals(0f, r[2].toArray()[2], "an ignored row costs nothing");
    }

    @Test
    void probabilityTargetsWithSmoothing() {
        int n = 4, c = 6;
        LossOps.CrossEntropyRows o = new LossOps.CrossEntropyRows(0.1, 1.0);
        Tensor[] r = new Tensor[4];
        int k = 0;
        for (Backend b : new Backend[] {cpu, ref}) {
            Tensor logits = Backends.using(b, () -> Tensor.randn(new Rng(21), n, c));
            Tensor p = Backends.using(b, () -> Tensor.randn(new Rng(22), n, c).softmax(1));
            Tensor g = Backends.using(b, () -> Tensor.randn(new Rng(23), n));
            LossOps.CrossEntropySaved s = b.crossEntropyProbabilities(logits, p, o);
            r[k++] = s.loss();
            r[k++] = b.crossEntropyProbabilitiesBackward(s, p, o, g);
        }
        close(r[0], r[2], "loss");
        close(r[1], r[3], "gradient");
    }

    @Test
    void binaryCrossEntropyWithLargeLogitsAndAPositiveWeight() {
        Tensor[] r = new Tensor[4];
        int k = 0;
        for (Backend b : new Backend[] {cpu, ref}) {
            Tensor x = Backends.using(b, () -> Tensor.of(new float[] {-80f, -3f, -0.5f, 0f, 0.5f, 3f, 80f, 1f}, 2, 4));
            Tensor y = Backends.using(b, () -> Tensor.of(new float[] {0f, 1f, 0.3f, 1f, 0f, 0.7f, 1f, 0f}, 2, 4));
            Tensor w = Backends.using(b, () -> Tensor.of(new float[] {2f, 0.5f, 1f, 3f, 2f, 0.5f, 1f, 3f}, 2, 4));
            LossOps.BinaryCrossEntropy e = b.binaryCrossEntropyWithLogits(x, y, w);
            r[k++] = e.loss();
            r[k++] = e.dlossDlogits();
        }
        close(r[0], r[2], "loss");
        close(r[1], r[3], "derivative");
    }
}
