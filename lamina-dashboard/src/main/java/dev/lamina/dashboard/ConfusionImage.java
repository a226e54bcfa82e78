package dev.lamina.dashboard;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A confusion matrix as a grey PNG for TensorBoard's image tab: one {@value #CELL}x{@value #CELL} square per
 * (actual row, predicted column), brighter for a larger share of the row.
 */
record ConfusionImage(int height, int width, byte[] png) {
    static final int CELL = 12;

    static ConfusionImage of(long[][] counts) {
        int n = counts.length;
        BufferedImage img = new BufferedImage(n * CELL, n * CELL, BufferedImage.TYPE_BYTE_GRAY);
        for (int a = 0; a < n; a++) {
            long row = 0;
            for (long c : counts[a]) row += c;
            for (int p = 0; p < n; p++) {
                int grey = row == 0 ? 0 : (int) Math.round(255.0 * counts[a][p] / row);
                int rgb = (grey << 16) | (grey << 8) | grey;
                for (int y = 0; y < CELL; y++) for (int x = 0; x < CELL; x++) img.setRGB(p * CELL + x, a * CELL + y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConfusionImage(n * CELL, n * CELL, out.toByteArray());
    }
}
