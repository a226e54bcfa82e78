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
}
