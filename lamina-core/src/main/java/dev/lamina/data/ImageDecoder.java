package dev.lamina.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG, JPEG, GIF and BMP files through the JDK's ImageIO into an {@link Image} with values in [0, 1]. One
 * channel: grey files sample by sample, colour by luminance 0.299 R + 0.587 G + 0.114 B; three channels: R, G, B
 * (grey replicated). Transparent pixels are composited on black. A file ImageIO cannot decode, or decodes only
 * with a warning (a truncated JPEG: "Premature end of JPEG file"), is an {@link IOException} naming it.
 */
public final class ImageDecoder {
    private ImageDecoder() {}

    /** @param channels 1 (grey) or 3 (RGB) */
    public static Image decode(Path file, int channels) throws IOException {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("image channels must be 1 or 3, got " + channels);
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such image file");
        BufferedImage img;
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) throw new IOException(file + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
            ImageReader reader = readers.next();
            try {
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                reader.setInput(in, true, true);
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(file.toString())) throw io;
            throw new IOException(file + ": not a readable image (" + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()) + ")", e);
        }
        if (!warnings.isEmpty()) throw new IOException(file + ": damaged or truncated image (" + String.join("; ", warnings) + ")");
        return channels == 1 ? new Image(grey(img), 1, img.getHeight(), img.getWidth()) : new Image(rgb(img), 3, img.getHeight(), img.getWidth());
    }

    private static boolean plainGrey(BufferedImage img) {
        Raster r = img.getRaster();
        return !(img.getColorModel() instanceof IndexColorModel) && img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && (r.getNumBands() == 1 || r.getNumBands() == 2);
    }

    /** Grey values in [0, 1], row by row. */
    private static float[] grey(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        float[] out = new float[w * h];
        if (plainGrey(img)) {
            Raster r = img.getRaster();
            float max = (1 << r.getSampleModel().getSampleSize(0)) - 1;
            float alphaMax = r.getNumBands() == 2 ? (1 << r.getSampleModel().getSampleSize(1)) - 1 : 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = r.getSample(x, y, 0) / max;
                    if (r.getNumBands() == 2) v = v * r.getSample(x, y, 1) / alphaMax;
                    out[y * w + x] = v;
                }
            }
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                double lum = 0.299 * ((argb >> 16) & 0xFF) + 0.587 * ((argb >> 8) & 0xFF) + 0.114 * (argb & 0xFF);
                out[y * w + x] = (float) (lum * (argb >>> 24) / (255.0 * 255.0));
            }
        }
        return out;
    }

    /** R, G, B planes in [0, 1]. */
    private static float[] rgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight(), plane = w * h;
        float[] out = new float[3 * plane];
        if (plainGrey(img)) {
            float[] g = grey(img);
            for (int c = 0; c < 3; c++) System.arraycopy(g, 0, out, c * plane, plane);
            return out;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                float a = (argb >>> 24) / (255f * 255f);
                out[y * w + x] = ((argb >> 16) & 0xFF) * a;
                out[plane + y * w + x] = ((argb >> 8) & 0xFF) * a;
                out[2 * plane + y * w + x] = (argb & 0xFF) * a;
            }
        }
        return out;
    }
}
