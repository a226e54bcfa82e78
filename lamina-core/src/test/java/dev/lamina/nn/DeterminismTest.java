package dev.lamina.nn;

import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Same seed and thread count: bit-identical weights. Other thread counts: the same up to float rounding. */
class DeterminismTest {
    private static float[] train(long seed) {
        Rng rng = new Rng(seed);
        Sequential m = new Sequential(new Linear(300, 512, true, rng), new ReLU(), new Dropout(0.1, rng.split()), new Linear(512, 10, true, rng));
        Adam opt = new Adam(m.parameters(), 1e-3);
        Tensor x = Tensor.randn(rng, 256, 300);
        Tensor y = Tensor.of(new float[256], 256);
        for (int i = 0; i < 256; i++) y.storage()[i] = rng.nextInt(10);
        for (int step = 0; step < 5; step++) {
            opt.zeroGrad();
            new CrossEntropyLoss().forward(m.forward(x), y).backward();
            opt.step();
        }
        return m.namedParameters().get("0.weight").toArray();
    }

    @Test
    void sameSeedSameThreadsIsBitIdentical() {
        assertArrayEquals(train(3), train(3));
    }

    @Test
    void threadCountChangesOnlyRounding() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = train(4);
            Parallel.setThreads(2);
            float[] two = train(4);
            for (int i = 0; i < one.length; i++) assertEquals(one[i], two[i], 1e-5f, "weight " + i);
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Gradients of the char-LSTM language model (batch 32 × 64 steps: the parallel bias fill, bias-gradient column
     *  sums and cross-entropy rows) on one thread and on two. */
    private static java.util.Map<String, float[]> lstmGradients(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(8);
        dev.lamina.models.LanguageModel lm = new dev.lamina.models.CharLstm(65, 16, 64, 1, rng);
        float[] ids = new float[32 * 64], next = new float[32 * 64];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(65);
            next[i] = rng.nextInt(65);
        }
        dev.lamina.models.LanguageModel.loss().forward(lm.forward(Tensor.of(ids, 32, 64)), Tensor.of(next, 32, 64)).backward();
        java.util.Map<String, float[]> g = new java.util.TreeMap<>();
        lm.namedParameters().forEach((name, p) -> g.put(name, p.grad().toArray()));
        return g;
    }

    @Test
    void languageModelGradientsDoNotDependOnTheThreadCount() {
        int before = Parallel.threads();
        try {
            java.util.Map<String, float[]> one = lstmGradients(1), two = lstmGradients(2);
            assertEquals(one.keySet(), two.keySet());
            for (String name : one.keySet()) assertArrayEquals(one.get(name), two.get(name), name);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
