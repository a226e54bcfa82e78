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

    /** Slice and narrow backward write the gradient into a strided window of zeros: steps along the last and other dims. */
    @Test
    void sliceGradientsLandInTheirWindow() {
        float[] v = new float[2 * 3 * 7];
        for (int i = 0; i < v.length; i++) v[i] = i;
        for (int[] c : new int[][] {{2, 1, 3}, {2, 0, 1}, {1, 0, 2}, {0, 1, 1}}) {   // dim, start, step
            int dim = c[0], start = c[1], step = c[2];
            Tensor x = Tensor.of(v.clone(), 2, 3, 7).requiresGrad(true);
            Tensor y = x.slice(dim, start, Integer.MAX_VALUE, step);
            float[] g = new float[y.numel()];
            for (int i = 0; i < g.length; i++) g[i] = 100 + i;
            y.backward(Tensor.of(g, y.shape()));
            float[] want = new float[v.length];
            int[] shape = {2, 3, 7};
            int k = 0;
            for (int a = 0; a < 2; a++) for (int b = 0; b < 3; b++) for (int d = 0; d < 7; d++) {
                int[] idx = {a, b, d};
                if (idx[dim] >= start && (idx[dim] - start) % step == 0) want[(a * 3 + b) * 7 + d] = g[k++];
            }
            assertEquals(g.length, k);
            assertArrayEquals(want, x.grad().toArray(), "slice dim " + dim + " start " + start + " step " + step + " of " + java.util.Arrays.toString(shape));
        }
    }
}
