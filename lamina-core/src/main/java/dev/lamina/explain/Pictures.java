package dev.lamina.explain;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * PNG pictures drawn with the JDK alone (java.awt off-screen, javax.imageio): grids of small maps (filters, feature
 * maps, images) and labelled heat maps (attention, hidden-state activity). Values are mapped to colours per tile:
 * grey from black (lowest) to white (highest), or, diverging, blue (negative) through white (0) to red (positive).
 */
final class Pictures {
    private Pictures() {
    }

    /** How values become colours. */
    enum Palette { GREY, DIVERGING, HEAT }

    /**
     * Tiles of {@code h × w} values in a grid of {@code columns}, each scaled by {@code scale} pixels per value and
     * normalised on its own (GREY, HEAT: min..max; DIVERGING: ±max |value|).
     *
     * @param tiles each tile's values, row by row
     */
    static byte[] grid(float[][] tiles, int h, int w, int columns, int scale, Palette palette) {
        int rows = (tiles.length + columns - 1) / columns, gap = 2;
        int width = columns * (w * scale + gap) + gap, height = rows * (h * scale + gap) + gap;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0x80, 0x80, 0x80));
        g.fillRect(0, 0, width, height);
        for (int t = 0; t < tiles.length; t++) {
            int ox = gap + (t % columns) * (w * scale + gap), oy = gap + (t / columns) * (h * scale + gap);
            float[] v = tiles[t];
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (float f : v) {
                if (!Float.isFinite(f)) continue;
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    g.setColor(colour(v[y * w + x], lo, hi, palette));
                    g.fillRect(ox + x * scale, oy + y * scale, scale, scale);
                }
            }
        }
        g.dispose();
        return png(img);
    }

    /**
     * A heat map of {@code rows × cols} values (row-major) with a label per row (left) and per column (top), values
     * mapped over {@code lo..hi}.
     */
    static byte[] heatMap(float[] values, int rows, int cols, String[] rowLabels, String[] colLabels, float lo, float hi, Palette palette, int cell) {
        Font font = new Font(Font.MONOSPACED, Font.PLAIN, Math.max(9, Math.min(12, cell)));
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        FontMetrics fm = pg.getFontMetrics(font);
        int left = 4, widest = 0;
        for (String s : rowLabels) left = Math.max(left, fm.stringWidth(s) + 6);
        for (String s : colLabels) widest = Math.max(widest, fm.stringWidth(s));
        boolean upright = widest <= cell;   // single characters fit above their column; longer labels are turned
        int top = upright ? fm.getAscent() + 6 : widest + 6;
        pg.dispose();
        int width = left + cols * cell + 4, height = top + rows * cell + 4;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(font);
        g.setColor(Color.DARK_GRAY);
        for (int r = 0; r < rows; r++) g.drawString(rowLabels[r], left - 4 - fm.stringWidth(rowLabels[r]), top + r * cell + (cell + fm.getAscent()) / 2 - 1);
        for (int c = 0; c < cols; c++) {
            if (upright) {
                g.drawString(colLabels[c], left + c * cell + (cell - fm.stringWidth(colLabels[c])) / 2, top - 4);
                continue;
            }
            Graphics2D rot = (Graphics2D) g.create();
            rot.translate(left + c * cell + (cell + fm.getAscent()) / 2 - 1, top - 4);
            rot.rotate(-Math.PI / 2);
            rot.drawString(colLabels[c], 0, 0);
            rot.dispose();
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                g.setColor(colour(values[r * cols + c], lo, hi, palette));
                g.fillRect(left + c * cell, top + r * cell, cell, cell);
            }
        }
        g.dispose();
        return png(img);
    }

    static Color colour(float v, float lo, float hi, Palette palette) {
        if (!Float.isFinite(v)) return Color.MAGENTA;
        switch (palette) {
            case DIVERGING -> {
                float m = Math.max(Math.abs(lo), Math.abs(hi));
                float t = m == 0 ? 0 : Math.max(-1, Math.min(1, v / m));
                int fade = (int) (255 * (1 - Math.abs(t)));
                return t >= 0 ? new Color(255, fade, fade) : new Color(fade, fade, 255);
            }
            case HEAT -> {
                float t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
                int r = (int) (255 * Math.min(1, 1.6 * t)), gr = (int) (255 * Math.max(0, Math.min(1, 1.6 * t - 0.6))), b = (int) (120 * (1 - t) * (t < 0.4 ? 1 : 0) + 255 * Math.max(0, t - 0.85) / 0.15);
                return new Color(r, gr, Math.min(255, b));
            }
            default -> {
                float t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
                int c = (int) (255 * t);
                return new Color(c, c, c);
            }
        }
    }

    static byte[] png(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, "png", out)) throw new IllegalStateException("no PNG writer in this JDK");
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
