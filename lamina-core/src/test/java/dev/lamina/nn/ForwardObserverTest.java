package dev.lamina.nn;

import dev.lamina.models.Models;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ForwardObserverTest {
    @Test
    void theObservedForwardSeesEveryLayerAndGivesTheSameOutputAsTheFusedOne() {
        Sequential cnn = Models.cnn(new Rng(1));
        cnn.eval();
        Tensor x = Tensor.rand(new Rng(2), 3, 784);
        List<Module> seen = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        Tensor observed = cnn.forward(x, (layer, in, out) -> {
            seen.add(layer);
            shapes.add(out.shape());
            return out;
        });
        assertEquals(cnn.layers(), seen);
        assertArrayEquals(new int[] {3, 32, 28, 28}, shapes.get(2));
        assertArrayEquals(cnn.forward(x).toArray(), observed.toArray(), 1e-5f);
    }

    @Test
    void whatTheObserverReturnsIsPassedOn() {
        Sequential net = new Sequential(new ReLU(), new Tanh());
        Tensor replaced = Tensor.vector(5, 5);
        List<Tensor> inputs = new ArrayList<>();
        net.forward(Tensor.vector(-1, 1), (layer, in, out) -> {
            inputs.add(in);
            return layer instanceof ReLU ? replaced : out;
        });
        assertSame(replaced, inputs.get(1));
    }
}
