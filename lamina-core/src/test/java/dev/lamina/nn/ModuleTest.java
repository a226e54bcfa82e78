package dev.lamina.nn;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class ModuleTest {
    private static Sequential mlp(Rng rng) {
        return new Sequential(new Input(784), new Linear(784, 256, true, rng), new ReLU(), new Linear(256, 128, true, rng),
                new ReLU(), new Dropout(0.2, rng.split()), new Linear(128, 10, true, rng));
    }

    @Test
    void stateDictNamesFollowPyTorch() {
        Sequential m = mlp(new Rng(1));
        assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias", "6.weight", "6.bias"), List.copyOf(m.namedParameters().keySet()));
        assertArrayEquals(new int[] {256, 784}, m.namedParameters().get("1.weight").shape());
        assertEquals(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10, m.parameterCount());
        assertEquals("3 (Linear)", m.get(3).describe());
    }

    @Test
    void linearInitialisationMatchesPyTorchBounds() {
        Linear l = new Linear(400, 50, true, new Rng(3));
        float bound = (float) (1 / Math.sqrt(400));
        float maxAbs = 0;
        for (float v : l.weight().toArray()) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertTrue(maxAbs <= bound && maxAbs > 0.95f * bound, "max |w| = " + maxAbs + ", bound " + bound);
        for (float v : l.bias().toArray()) assertTrue(Math.abs(v) <= bound);
    }

    @Test
    void inputLayerRejectsWrongShapeNamingLayerAndShapes() {
        Sequential m = mlp(new Rng(1));
        ShapeException e = assertThrows(ShapeException.class, () -> m.forward(Tensor.zeros(8, 100)));
        assertTrue(e.getMessage().contains("0 (Input)") && e.getMessage().contains("[N, 784]") && e.getMessage().contains("[8, 100]"), e.getMessage());
    }

    @Test
    void linearRejectsWrongFeatureCount() {
        Linear l = new Linear(5, 3);
        Sequential outer = new Sequential(new Sequential(l));
        ShapeException e = assertThrows(ShapeException.class, () -> outer.forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("0.0 (Linear)") && e.getMessage().contains("[..., 5]") && e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    @Test
    void dropoutTrainVsEval() {
        Dropout d = new Dropout(0.25, new Rng(5));
        Tensor x = Tensor.ones(100_000);
        float[] y = d.forward(x).toArray();
        int zeros = 0;
        double sum = 0;
        for (float v : y) {
            if (v == 0) zeros++;
            else assertEquals(1 / 0.75f, v, 1e-6);
            sum += v;
        }
        assertEquals(0.25, zeros / 100_000.0, 0.01);
        assertEquals(1.0, sum / 100_000, 0.01);
        d.eval();
        assertSame(x, d.forward(x));
        // same seed, same mask
        float[] a = new Dropout(0.5, new Rng(9)).forward(Tensor.ones(64)).toArray();
        float[] b = new Dropout(0.5, new Rng(9)).forward(Tensor.ones(64)).toArray();
        assertArrayEquals(a, b);
    }

    @Test
    void evalModelIsSafeToCallFromManyThreads() throws Exception {
        Sequential m = mlp(new Rng(11));
        m.eval();
        Rng rng = new Rng(12);
        Tensor[] inputs = new Tensor[16];
        float[][] expected = new float[16][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = Tensor.randn(rng, 1 + i, 784);
            try (var s = Autograd.noGrad()) {
                expected[i] = m.forward(inputs[i]).toArray();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int rep = 0; rep < 8; rep++) {
                for (int i = 0; i < inputs.length; i++) {
                    int k = i;
                    results.add(pool.submit(() -> {
                        try (var s = Autograd.noGrad()) {
                            return java.util.Arrays.equals(expected[k], m.forward(inputs[k]).toArray());
                        }
                    }));
                }
            }
            for (Future<Boolean> f : results) assertTrue(f.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void activationsAndToString() {
        Tensor x = Tensor.vector(-2, -0.5f, 0.5f, 2);
        assertArrayEquals(new float[] {0, 0, 0.5f, 2}, new ReLU().forward(x).toArray());
        assertArrayEquals(new float[] {-0.02f, -0.005f, 0.5f, 2}, new LeakyReLU().forward(x).toArray(), 1e-7f);
        float[] sm = new Softmax().forward(x).toArray();
        float s = 0;
        for (float v : sm) s += v;
        assertEquals(1f, s, 1e-6);
        assertTrue(mlp(new Rng(1)).toString().contains("(1): Linear(in=784, out=256, bias=true)"));
    }
}
