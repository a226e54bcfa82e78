package dev.lamina.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lamina.kernels.CpuFeatures;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The plane kernels of {@link BnReluPoolKernels}: the Vector API forward gives exactly the scalar kernel's
 * output, slots and x-at-max, and the scalar kernel follows max_pool2d(relu(·)) as PoolOps defines it (first
 * maximum wins, NaN wins), on planes with ties, zeros of both signs, infinities and NaNs, even and odd sizes.
 */
class BatchNormReluPoolKernelTest {
    private static final float[] SPECIAL = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0xffc00000), Float.MIN_VALUE, 2.5f};

    private static float[] plane(Random rnd, int size, boolean special) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = special && rnd.nextInt(3) == 0 ? SPECIAL[rnd.nextInt(SPECIAL.length)] : (float) rnd.nextGaussian();
            if (i > 0 && rnd.nextInt(5) == 0) x[i] = x[i - 1]; // ties
        }
        return x;
    }

    @Test
    void scalarKernelIsReluThenFirstMaxPool() {
        Random rnd = new Random(1);
        for (int[] hw : new int[][] {{2, 2}, {4, 6}, {5, 7}, {28, 28}, {14, 14}, {3, 33}}) {
            int h = hw[0], w = hw[1], oh = h / 2, ow = w / 2;
            float[] x = plane(rnd, h * w + 3, true);
            float m = 0.1f, r = 1.3f, sc = 0.7f, sh = -0.2f;
            float[] out = new float[oh * ow], xm = new float[oh * ow];
            byte[] slot = new byte[oh * ow];
            BnReluPoolKernels.forwardPlaneScalar(x, 3, h, w, m, r, sc, sh, out, slot, xm, 0);
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    // PoolOps' sequential scan over relu'd values: v > best or v is NaN takes over (NaN: the first NaN here,
                    // since NaN > NaN is false once a NaN is held — only the index can differ, and a NaN passes no gradient)
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int q = 0; q < 4; q++) {
                        float hv = (x[3 + (2 * i + q / 2) * w + 2 * j + q % 2] - m) * r;
                        float v = Math.max(hv * sc + sh, 0f);
                        if (at < 0 || v > best || (v != v && best == best)) {
                            best = v;
                            at = q;
                        }
                    }
                    int o = i * ow + j;
                    assertEquals(best, out[o], "value at " + i + "," + j + " of " + h + "x" + w);
                    assertEquals(at, slot[o] & 3, "slot at " + i + "," + j + " of " + h + "x" + w);
                    assertEquals(best > 0, (slot[o] & BnReluPoolKernels.POSITIVE) != 0, "relu mask at " + i + "," + j);
                    assertEquals(x[3 + (2 * i + at / 2) * w + 2 * j + at % 2], xm[o], "x at max");
                }
            }
        }
    }

    @Test
    void vectorKernelMatchesScalarBitForBit() {
        assumeTrue(CpuFeatures.VECTOR, "Vector API not present");
        Random rnd = new Random(2);
        int lanes = VectorBnReluPool.L;
        for (int[] hw : new int[][] {{2, 2}, {4, 6}, {5, 7}, {28, 28}, {14, 14}, {7, 7}, {3, 33}, {6, 64}}) {
            for (boolean special : new boolean[] {false, true}) {
                int h = hw[0], w = hw[1], os = (h / 2) * (w / 2);
                float[] x = plane(rnd, h * w + 5, special);
                float m = -0.05f, r = 0.9f, sc = 1.1f, sh = 0.1f;
                float[] out1 = new float[os + 2], xm1 = new float[os + 2], out2 = new float[os + 2], xm2 = new float[os + 2];
                byte[] slot1 = new byte[os + 2], slot2 = new byte[os + 2];
                BnReluPoolKernels.forwardPlaneScalar(x, 5, h, w, m, r, sc, sh, out1, slot1, xm1, 2);
                int[] bits = new int[h * w + 2 * lanes], pv = new int[w + lanes], pq = new int[w + lanes];
                java.util.Arrays.fill(bits, 0x7fc00000); // stale scratch must not leak into results
                VectorBnReluPool.forwardPlane(x, 5, h, w, m, r, sc, sh, out2, slot2, xm2, 2, bits, pv, pq);
                String what = h + "x" + w + (special ? " with special values" : "");
                assertArrayEquals(out1, out2, what + ": output");
                assertArrayEquals(slot1, slot2, what + ": slots");
                assertArrayEquals(xm1, xm2, what + ": x at max");
            }
        }
    }
}
