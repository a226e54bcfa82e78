package dev.lamina.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The flat im2col/col2im (stride 1, output the input's size: one shifted copy per column row) against the general
 * row-by-row code: the same columns bit for bit, and the same scattered-back image.
 */
class Im2colFlatTest {

    /** {c, h, w, kh, kw, pt, pl, dh, dw}: "same"-size geometries, including asymmetric padding and dilation. */
    private static final int[][] CASES = {
        {1, 28, 28, 3, 3, 1, 1, 1, 1}, {32, 14, 14, 3, 3, 1, 1, 1, 1}, {2, 5, 7, 5, 5, 2, 2, 1, 1}, {3, 9, 6, 3, 3, 2, 2, 2, 2},
        {2, 6, 8, 4, 4, 1, 1, 1, 1}, {1, 4, 9, 2, 3, 0, 1, 1, 1}, {2, 3, 3, 7, 7, 3, 3, 1, 1}, {1, 1, 5, 1, 3, 0, 1, 1, 1},
        {1, 2, 2, 5, 5, 2, 2, 1, 1},
    };

    private static Im2col.Geometry geometry(int[] k) {
        return new Im2col.Geometry(k[0], k[1], k[2], k[3], k[4], 1, 1, k[5], k[6], k[7], k[8], k[1], k[2]);
    }

    @Test
    void sameColumnsAsTheRowByRowCode() {
        Random rnd = new Random(1);
        for (int[] k : CASES) {
            Im2col.Geometry g = geometry(k);
            assertTrue(g.flat());
            int off = 3, size = g.c() * g.h() * g.w();
            float[] img = new float[off + size + 2];
            for (int i = 0; i < img.length; i++) img[i] = (float) rnd.nextGaussian();
            float[] rows = new float[2 + g.rows() * g.cols()], flat = new float[rows.length];
            java.util.Arrays.fill(flat, Float.NaN); // every position must be written
            Im2col.im2colRows(g, img, off, rows, 2);
            Im2col.im2colFlat(g, img, off, flat, 2);
            rows[0] = rows[1] = flat[0] = flat[1] = 0;
            assertArrayEquals(rows, flat, java.util.Arrays.toString(k));
        }
    }

    @Test
    void sameImageScatteredBack() {
        Random rnd = new Random(2);
        for (int[] k : CASES) {
            Im2col.Geometry g = geometry(k);
            float[] col = new float[g.rows() * g.cols()];
            for (int i = 0; i < col.length; i++) col[i] = (float) rnd.nextGaussian();
            int off = 2, size = g.c() * g.h() * g.w();
            float[] a = new float[off + size + 3], b = new float[a.length];
            for (int i = 0; i < a.length; i++) a[i] = b[i] = (float) rnd.nextGaussian();
            Im2col.col2imRows(g, col.clone(), 0, a, off);
            Im2col.col2imFlat(g, col.clone(), 0, b, off);
            assertArrayEquals(a, b, java.util.Arrays.toString(k));
        }
    }

    @Test
    void flatOnlyForStrideOneSameSize() {
        assertFalse(new Im2col.Geometry(1, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 4, 4).flat());
        assertFalse(new Im2col.Geometry(1, 8, 8, 3, 3, 1, 1, 0, 0, 1, 1, 6, 6).flat());
    }
}
