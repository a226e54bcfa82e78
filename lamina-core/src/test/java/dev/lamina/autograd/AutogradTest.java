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

    /** y1 = 2x and y2 = x², computed into one buffer and recorded as one node with two outputs. */
    private static Tensor[] twoOutputs(Tensor x, int[] ruleCalls) {
        float[] xs = x.toArray();
        int n = xs.length;
        float[] both = new float[2 * n];
        for (int i = 0; i < n; i++) {
            both[i] = 2 * xs[i];
            both[n + i] = xs[i] * xs[i];
        }
        return Tensor.fromOps("double_and_square", new Tensor[] {Tensor.ofRegion(both, 0, n), Tensor.ofRegion(both, n, n)}, g -> {
            ruleCalls[0]++;
            float[] gx = new float[n];
            for (int i = 0; i < n; i++) {
                if (g[0] != null) gx[i] += 2 * g[0].toArray()[i];
                if (g[1] != null) gx[i] += 2 * xs[i] * g[1].toArray()[i];
            }
            return new Tensor[] {Tensor.of(gx, n)};
        }, x);
    }

    @Test
    void multiOutputNodeRunsItsRuleOnceWithTheGradientsOfAllOutputs() {
        int[] calls = {0};
        Tensor x = Tensor.vector(1, -2, 3).requiresGrad(true);
        Tensor[] y = twoOutputs(x, calls);
        assertSame(y[0].node(), y[1].node());
        assertEquals(2, y[0].node().outputCount());
        // d/dx sum(3·y1 + y2·y1) = 6 + d(2x³)/dx = 6 + 6x²
        y[0].mul(3f).add(y[1].mul(y[0])).sum().backward();
        assertEquals(1, calls[0]);
        assertArrayEquals(new float[] {12, 30, 60}, x.grad().toArray());
    }

    @Test
    void multiOutputNodeGetsNullForAnOutputTheLossDoesNotReach() {
        int[] calls = {0};
        Tensor x = Tensor.vector(1, -2, 3).requiresGrad(true);
        twoOutputs(x, calls)[1].sum().backward();   // only x²
        assertArrayEquals(new float[] {2, -4, 6}, x.grad().toArray());
        x.zeroGrad();
        twoOutputs(x, calls)[0].sum().backward();   // only 2x
        assertArrayEquals(new float[] {2, 2, 2}, x.grad().toArray());
        assertEquals(2, calls[0]);
        try (var scope = Autograd.noGrad()) {
            Tensor[] y = twoOutputs(x, calls);
            assertNull(y[0].node());
            assertFalse(y[1].requiresGrad());
        }
    }
}
