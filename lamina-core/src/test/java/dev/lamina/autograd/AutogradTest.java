package dev.lamina.autograd;

import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AutogradTest {
    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = Tensor.vector(1, 2, 3).requiresGrad(true);
        x.mul(2f).sum().backward();
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5, 5, 5}, x.grad().toArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void reusedTensorGetsSummedGradient() {
        Tensor x = Tensor.vector(2).requiresGrad(true);
        Tensor y = x.mul(x).add(x); // x² + x → 2x + 1 = 5
        y.sum().backward();
        assertEquals(5f, x.grad().item());
    }

    @Test
    void noGradBuildsNoTape() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            y = x.mul(3f);
            assertFalse(Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.node());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void noGradIsPerThread() throws Exception {
        try (var scope = Autograd.noGrad()) {
            boolean[] other = new boolean[1];
            Thread t = new Thread(() -> other[0] = Autograd.isGradEnabled());
            t.start();
            t.join();
            assertTrue(other[0]);
        }
    }

    @Test
    void detachCutsTheTape() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor d = x.mul(2f).detach();
        assertFalse(d.requiresGrad());
        Tensor y = x.mul(d).sum();
        y.backward();
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray());
    }

    @Test
    void backwardNeedsScalarOrExplicitGradient() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor y = x.mul(2f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3)));
        y.backward(Tensor.vector(1, 1));
        assertArrayEquals(new float[] {2, 2}, x.grad().toArray());
    }

    @Test
    void deepChainDoesNotOverflowTheStack() {
        Tensor x = Tensor.vector(1f).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.add(0f);
        y.sum().backward();
        assertEquals(1f, x.grad().item());
    }
}
