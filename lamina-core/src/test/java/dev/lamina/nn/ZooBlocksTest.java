package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import org.junit.jupiter.api.Test;

/**
 * The zoo's blocks where the model fixtures do not reach: stochastic depth's random rows, the activations' gradients
 * on each side of their kinks, and the errors.
 */
class ZooBlocksTest {
    @Test
    void stochasticDepthDropsWholeSamplesAndScalesTheRest() {
        StochasticDepth sd = new StochasticDepth(0.5, "row", new Rng(1));
        Tensor x = Tensor.ones(64, 3, 2, 2);
        float[] y = sd.forward(x).toArray();
        int dropped = 0;
        for (int n = 0; n < 64; n++) {
            float v = y[n * 12];
            assertTrue(v == 0f || v == 2f, "sample " + n + ": " + v);
            for (int i = 1; i < 12; i++) assertEquals(v, y[n * 12 + i], "sample " + n + " is dropped or kept whole");
            if (v == 0f) dropped++;
        }
        assertTrue(dropped > 16 && dropped < 48, dropped + " of 64 dropped at p = 0.5");
        sd.eval();
        assertSame(x, sd.forward(x));
        float[] batch = new StochasticDepth(0.5, "batch", new Rng(2)).forward(Tensor.ones(8, 2)).toArray();
        for (float v : batch) assertEquals(batch[0], v);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(0.1, "col", new Rng(1))).getMessage().contains("\"col\""));
        assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(1.5, "row", new Rng(1)));
    }

    @Test
    void hardActivationsAndTheirGradients() {
        Tensor x = Tensor.vector(-4f, -1f, 1f, 4f, 7f).requiresGrad(true);
        Tensor y = new Hardswish().forward(x);
        assertArrayEquals(new float[] {0f, -1f / 3, 2f / 3, 4f, 7f}, y.toArray(), 1e-6f);
        y.sum().backward();
        assertArrayEquals(new float[] {0f, 1f / 6, 5f / 6, 1f, 1f}, x.grad().toArray(), 1e-6f);
        assertArrayEquals(new float[] {0f, 1f / 3, 2f / 3, 1f, 1f}, new Hardsigmoid().forward(x).toArray(), 1e-6f);
        assertArrayEquals(new float[] {0f, 0f, 1f, 4f, 6f}, new ReLU6().forward(x).toArray());
    }

    @Test
    void squeezeExcitationAndModuleDictNameWhatIsWrong() {
        SqueezeExcitation se = new SqueezeExcitation(4, 2, new ReLU(), new Sigmoid(), new Rng(1));
        ShapeException e = assertThrows(ShapeException.class, () -> se.forward(Tensor.zeros(1, 3, 2, 2)));
        assertTrue(e.getMessage().contains("[N, 4, H, W]") && e.getMessage().contains("[1, 3, 2, 2]"), e.getMessage());
        ModuleDict d = new ModuleDict();
        d.put("dense", new Linear(2, 2));
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, () -> d.forward(Tensor.zeros(1, 2)));
        assertTrue(u.getMessage().contains("[dense]"), u.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> d.get("query")).getMessage().contains("'query'"));
    }
}
