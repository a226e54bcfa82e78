package dev.lamina.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Broadcasting a per-channel tensor ([N, C, 1, 1] against [N, C, H, W]) or a trailing row, either side, gives the materialised result. */
class BroadcastBlockTest {
    private static void check(Tensor a, Tensor b) {
        int[] shape = Shape.broadcast("test", a.shape(), b.shape());
        Tensor ae = a.expand(shape).contiguous(), be = b.expand(shape).contiguous();
        assertArrayEquals(ae.add(be).toArray(), a.add(b).toArray(), "add");
        assertArrayEquals(ae.sub(be).toArray(), a.sub(b).toArray(), "sub");
        assertArrayEquals(ae.mul(be).toArray(), a.mul(b).toArray(), "mul");
        assertArrayEquals(ae.div(be).toArray(), a.div(b).toArray(), "div");
        assertArrayEquals(ae.maximum(be).toArray(), a.maximum(b).toArray(), "max");
    }

    @Test
    void perChannelBlocksOnEitherSide() {
        Rng rng = new Rng(4);
        Tensor x = Tensor.randn(rng, 2, 5, 7, 3);
        for (int[] small : new int[][] {{2, 5, 1, 1}, {5, 1, 1}, {2, 5, 7, 1}, {2, 1, 1, 1}, {1, 5, 1, 1}, {3}, {7, 3}, {1, 1, 3}}) {
            Tensor s = Tensor.randn(rng, small).add(3f);
            check(x, s);
            check(s, x);
        }
    }
}
