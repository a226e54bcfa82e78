package dev.lamina.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.kernels.CpuFeatures;
import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The convolution columns written straight into the GEMM's strips give the product of the stored column matrix
 * (im2col, then the matrix GEMM) bit for bit, on odd sizes, strides, dilations and padding, the flat (contiguous) and
 * the gathered case, with the weight packed or not, on one and two threads.
 */
class VectorConvStripsTest {
    @ParameterizedTest(name = "c{0} {1}x{2} k{3}x{4} s{5}x{6} p{7}x{8} d{9}x{10} oc{11}")
    @CsvSource({
            "64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 64",    // ResNet's layer 1: flat, contiguous loads
            "3, 37, 29, 7, 7, 2, 2, 3, 3, 1, 1, 20",     // stride 2 on a grid row shorter than a vector: gathered
            "3, 64, 70, 7, 7, 2, 2, 3, 3, 1, 1, 20",     // a stem: stride 2, runs of even lanes across two grid rows
            "5, 40, 41, 3, 3, 2, 2, 1, 1, 1, 1, 16",     // a 3x3 stride-2 downsample, odd width
            "4, 33, 50, 3, 3, 3, 2, 2, 2, 2, 2, 12",     // stride 3 down, 2 across, dilated
            "5, 13, 17, 3, 3, 1, 1, 1, 1, 1, 1, 9",      // flat, odd width, strips across rows, a partial last strip
            "6, 15, 15, 5, 5, 1, 1, 2, 2, 1, 1, 33",     // flat, 5x5
            "7, 20, 19, 3, 3, 1, 1, 2, 2, 2, 2, 12",     // dilated with as much padding: flat
            "4, 21, 23, 3, 2, 2, 3, 0, 1, 1, 1, 24",     // unequal strides, no top padding
            "9, 12, 12, 3, 3, 1, 1, 0, 0, 1, 1, 16",     // valid (unpadded) stride 1: not flat, gathered
            "16, 14, 14, 1, 1, 2, 2, 0, 0, 1, 1, 48",    // a 1x1 stride-2 downsample
            "8, 9, 31, 1, 4, 1, 2, 0, 3, 1, 3, 40",      // a row kernel, dilated across the width
    })
    void sameBitsAsTheColumnMatrix(int c, int h, int w, int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw, int oc) {
        assertTrue(CpuFeatures.VECTOR, "tests run with --add-modules jdk.incubator.vector");
        int oh = (h + 2 * pt - dh * (kh - 1) - 1) / sh + 1, ow = (w + 2 * pl - dw * (kw - 1) - 1) / sw + 1;
        Im2col.Geometry g = new Im2col.Geometry(c, h, w, kh, kw, sh, sw, pt, pl, dh, dw, oh, ow);
        int rows = g.rows(), cols = g.cols();
        assertTrue(Gemm.stripsApply(oc, cols, rows), "the case is large enough for the strip kernel");
        Random r = new Random(31L * c + h * 7L + kw);
        int imgOff = 5; // the image at an offset inside a larger array, with values before and after it
        float[] img = new float[imgOff + c * h * w + 7];
        for (int i = 0; i < img.length; i++) img[i] = (float) r.nextGaussian();
        img[imgOff + 3] = -0f;
        float[] wt = new float[oc * rows];
        for (int i = 0; i < wt.length; i++) wt[i] = (float) r.nextGaussian();
        float[] col = new float[rows * cols];
        Im2col.im2col(g, img, imgOff, col, 0);
        Gemm.PackedA packed = Gemm.pack(oc, rows, wt, 0, rows, 1);
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                float[] expected = new float[oc * cols];
                Gemm.gemm(oc, cols, rows, wt, 0, rows, 1, col, 0, cols, 1, expected, 0, cols, false);
                float[] plain = new float[oc * cols], prepacked = new float[oc * cols];
                Gemm.gemm(oc, cols, rows, wt, 0, rows, 1, new VectorConvStrips(g, img, imgOff), plain, 0, cols, false, null);
                Gemm.gemm(cols, packed, new VectorConvStrips(g, img, imgOff), prepacked, 0, cols, false, null);
                for (int i = 0; i < expected.length; i++) {
                    int bits = Float.floatToRawIntBits(expected[i]);
                    assertEquals(bits, Float.floatToRawIntBits(plain[i]), threads + " threads, element " + i + ": " + expected[i] + " vs " + plain[i]);
                    assertEquals(bits, Float.floatToRawIntBits(prepacked[i]), threads + " threads, packed weight, element " + i);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aProductTooSmallForTheStripKernelIsRefused() {
        Im2col.Geometry g = new Im2col.Geometry(1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4);
        assertTrue(!Gemm.stripsApply(2, g.cols(), g.rows()), "2x16x9 is below the packed kernel's size");
        var e = assertThrows(IllegalArgumentException.class, () ->
                Gemm.gemm(2, g.cols(), g.rows(), new float[2 * 9], 0, 9, 1, new VectorConvStrips(g, new float[16], 0), new float[32], 0, 16, false, null));
        assertTrue(e.getMessage().contains("2x16x9"), e.getMessage());
    }
}
