package dev.lamina.nn;

import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The smallest end-to-end proof: an MLP learns XOR, which no linear model can. */
class XorTest {
    @Test
    void mlpLearnsXor() {
        Rng rng = new Rng(42);
        Sequential model = new Sequential(new Input(2), new Linear(2, 16, true, rng), new Tanh(), new Linear(16, 2, true, rng));
        Tensor x = Tensor.matrix(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.vector(0, 1, 1, 0);
        Adam opt = new Adam(model.parameters(), 0.05);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        for (int step = 0; step < 300; step++) {
            opt.zeroGrad();
            loss.forward(model.forward(x), y).backward();
            opt.step();
        }
        model.eval();
        assertArrayEquals(new float[] {0, 1, 1, 0}, model.forward(x).argmax(1, false).toArray());
    }
}
