package dev.lamina.nn;

import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class ReshapeTest {
    @Test
    void reshapesEachSampleAndPassesGradientsBack() {
        Tensor x = Tensor.arange(2 * 784).reshape(2, 784).requiresGrad(true);
        Tensor y = new Reshape(1, 28, 28).forward(x);
        assertArrayEquals(new int[] {2, 1, 28, 28}, y.shape());
        assertEquals(784 + 28 + 3, y.get(1, 0, 1, 3));
        y.mul(2f).sum().backward();
        assertArrayEquals(Tensor.full(2f, 2, 784).toArray(), x.grad().toArray());
        assertArrayEquals(new int[] {2, 4, 196}, new Reshape(4, -1).forward(x).shape());
    }

    @Test
    void wrongSizeNamesLayerAndShapes() {
        Sequential s = new Sequential(new Reshape(1, 28, 28));
        ShapeException e = assertThrows(ShapeException.class, () -> s.forward(Tensor.zeros(3, 100)));
        assertTrue(e.getMessage().contains("0 (Reshape)") && e.getMessage().contains("784") && e.getMessage().contains("[3, 100]"), e.getMessage());
    }
}
