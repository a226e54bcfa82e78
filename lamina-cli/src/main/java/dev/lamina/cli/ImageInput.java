package dev.lamina.cli;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A picture as the image models see their training data: one grey value per pixel, the picture stretched to the
 * training size by area averaging when it has another size, then divided by 255 into [0, 1] exactly as
 * {@link dev.lamina.data.FashionMnist} scales its bytes. Grey-scale files are read sample by sample (no colour
 * conversion); colour pictures become grey by luminance (0.299 R + 0.587 G + 0.114 B); transparent pixels count as
 * black, the background of Fashion-MNIST. {@code invert} turns dark-on-light pictures into light-on-dark ones.
 */
final class ImageInput {
    private ImageInput() {}

    /**
     * @param values       [height · width] grey values in [0, 1], row by row
     * @param sourceWidth  the picture's own width
     * @param sourceHeight the picture's own height
     * @param borderMean   mean of the outermost pixels of {@code values}; near 1 for a light background
     */
    record Pixels(float[] values, int sourceWidth, int sourceHeight, double borderMean) {
        boolean resized(int width, int height) {
            return sourceWidth != width || sourceHeight != height;
        }
    }

    /**
     * @throws NoSuchFileException when the file does not exist
     * @throws IOException         naming the file when no ImageIO reader decodes it (not an image, corrupt, truncated)
     */
    static Pixels read(Path file, int width, int height, boolean invert) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such image file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable image (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")", e);
        }
        if (img == null) throw new IOException(file + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP, WBMP), nor a .csv of pixel rows");
        int sw = img.getWidth(), sh = img.getHeight();
        float[] grey = grey(img);
        float[] sized = sw == width && sh == height ? grey : resize(grey, sw, sh, width, height);
        float[] out = new float[sized.length];
        for (int i = 0; i < out.length; i++) out[i] = (invert ? 255f - sized[i] : sized[i]) / 255f;
        return new Pixels(out, sw, sh, borderMean(out, width, height));
    }

    /** Grey values 0–255, row by row. */
    static float[] grey(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] out = new float[w * h];
        Raster r = img.getRaster();
        boolean plainGrey = !(img.getColorModel() instanceof IndexColorModel)
                && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && (r.getNumBands() == 1 || r.getNumBands() == 2);
        if (plainGrey) {
            float max = (1 << r.getSampleModel().getSampleSize(0)) - 1;
            float alphaMax = r.getNumBands() == 2 ? (1 << r.getSampleModel().getSampleSize(1)) - 1 : 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = max == 255f ? r.getSample(x, y, 0) : r.getSample(x, y, 0) * 255f / max;
                    if (r.getNumBands() == 2) v = v * r.getSample(x, y, 1) / alphaMax;
                    out[y * w + x] = v;
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                double a = (argb >>> 24) / 255.0;
                double lum = 0.299 * ((argb >> 16) & 0xFF) + 0.587 * ((argb >> 8) & 0xFF) + 0.114 * (argb & 0xFF);
                out[y * w + x] = (float) (lum * a);
            }
        }
        return out;
    }

    /** Area-averaging resize of a [sh, sw] grey image to [h, w]: every output pixel is the mean of the source area it covers. */
    static float[] resize(float[] src, int sw, int sh, int w, int h) {
        float[] rows = new float[sh * w];
        for (int y = 0; y < sh; y++) resampleLine(src, y * sw, 1, sw, rows, y * w, 1, w);
        float[] out = new float[h * w];
        for (int x = 0; x < w; x++) resampleLine(rows, x, w, sh, out, x, w, h);
        return out;
    }

    private static void resampleLine(float[] in, int inOff, int inStride, int n, float[] out, int outOff, int outStride, int m) {
        double scale = (double) n / m;
        for (int j = 0; j < m; j++) {
            double a = j * scale, b = (j + 1) * scale, sum = 0;
            for (int i = (int) Math.floor(a), end = Math.min(n, (int) Math.ceil(b)); i < end; i++) {
                double overlap = Math.min(b, i + 1) - Math.max(a, i);
                if (overlap > 0) sum += overlap * in[inOff + i * inStride];
            }
            out[outOff + j * outStride] = (float) (sum / scale);
        }
    }

    private static double borderMean(float[] v, int w, int h) {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (y == 0 || y == h - 1 || x == 0 || x == w - 1) {
                    sum += v[y * w + x];
                    n++;
                }
            }
        }
        return sum / n;
    }
}
