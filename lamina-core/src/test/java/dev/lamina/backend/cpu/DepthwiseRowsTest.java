package dev.lamina.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * One output row of the direct depthwise kernel, for every row length from 1 to 150 (whole and partial vectors in the
 * four-, two- and one-vector blocks): each element is the fma chain over the taps in order from the bias, bit for bit,
 * and nothing past the row's end is written.
 */
class DepthwiseRowsTest {
    @Test
    void eachElementIsItsTapChainAndNothingPastTheRowIsWritten() {
        Random r = new Random(3);
        int rowWidth = 160, rows = 3;
        int[] tap = new int[9];
        for (int t = 0; t < 9; t++) tap[t] = t / 3 * rowWidth + t % 3;
        float[] src = new float[rows * rowWidth + 2 + DepthwiseRows.SLACK];
        for (int i = 0; i < src.length; i++) src[i] = (float) r.nextGaussian();
        float[] w = new float[11];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int n = 1; n <= 150; n++) {
            float[] y = new float[n + 40];
            java.util.Arrays.fill(y, Float.NaN);
            DepthwiseRows.row(src, 1, tap, w, 2, 0.25f, y, 3, n);
            for (int j = 0; j < n; j++) {
                float acc = 0.25f;
                for (int t = 0; t < 9; t++) acc = Math.fma(w[2 + t], src[1 + tap[t] + j], acc);
                assertEquals(Float.floatToRawIntBits(acc), Float.floatToRawIntBits(y[3 + j]), "n " + n + ", element " + j);
            }
            for (int j = 0; j < y.length; j++) {
                if (j < 3 || j >= 3 + n) assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(y[j]), "n " + n + ": wrote y[" + j + "]");
            }
        }
    }
}
