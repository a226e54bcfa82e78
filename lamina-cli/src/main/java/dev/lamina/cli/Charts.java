package dev.lamina.cli;

import dev.lamina.train.ConfusionMatrix;
import dev.lamina.train.EpochResult;
import dev.lamina.tensor.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import dev.lamina.io.AtomicFiles;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** PNG charts (XChart, drawn headless): a training run's loss and accuracy curves and confusion matrix; layer-output histograms and attention heat maps for {@code lamina inspect}. */
final class Charts {
    private Charts() {}

    /** {@code curves.png} → {@code curves-confusion.png}, next to it. */
    static Path confusionPath(Path curves) {
        String name = curves.getFileName().toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        return curves.resolveSibling(base + "-confusion.png");
    }

    /**
     * Two panels side by side: loss per epoch (train, {@code heldOut}) and accuracy per epoch in % (train,
     * {@code heldOut}); {@code heldOut} names the set the epochs were evaluated on: "test", or "validation" when
     * a validation set was used.
     */
    static void writeCurves(List<EpochResult> epochs, String heldOut, String title, Path file) throws IOException {
        writeGrid(file, curves(epochs, heldOut, title), 2);
    }

    /** The panels of {@link #writeCurves}: loss, then accuracy. */
    static List<XYChart> curves(List<EpochResult> epochs, String heldOut, String title) {
        headless();
        double[] x = new double[epochs.size()];
        double[] trainLoss = new double[x.length], heldLoss = new double[x.length], trainAcc = new double[x.length], heldAcc = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            EpochResult r = epochs.get(i);
            x[i] = r.epoch();
            trainLoss[i] = r.trainLoss();
            heldLoss[i] = r.valLoss();
            trainAcc[i] = 100 * r.trainAccuracy();
            heldAcc[i] = 100 * r.valAccuracy();
        }
        XYChart loss = chart(title + ": loss", "loss");
        series(loss, "train", x, trainLoss, new Color(31, 119, 180));
        series(loss, heldOut, x, heldLoss, new Color(255, 127, 14));
        XYChart acc = chart(title + ": accuracy", "accuracy (%)");
        series(acc, "train", x, trainAcc, new Color(31, 119, 180));
        series(acc, heldOut, x, heldAcc, new Color(255, 127, 14));
        acc.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return List.of(loss, acc);
    }

    /** A regression's run: the loss per epoch (train, {@code heldOut}) in one panel. */
    static void writeLossCurve(List<EpochResult> epochs, String heldOut, String title, Path file) throws IOException {
        writeGrid(file, List.of(curves(epochs, heldOut, title).getFirst()), 1);
    }

    /** A language model's run: loss per epoch (train, validation) and bits per character per epoch, side by side. */
    static void writeTextCurves(List<EpochResult> epochs, String title, Path file) throws IOException {
        headless();
        double[] x = new double[epochs.size()];
        double[] trainLoss = new double[x.length], validLoss = new double[x.length], trainBits = new double[x.length], validBits = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            EpochResult r = epochs.get(i);
            x[i] = r.epoch();
            trainLoss[i] = r.trainLoss();
            validLoss[i] = r.valLoss();
            trainBits[i] = r.trainLoss() / Math.log(2);
            validBits[i] = r.valLoss() / Math.log(2);
        }
        XYChart loss = chart(title + ": loss", "cross-entropy (nats per character)");
        series(loss, "train", x, trainLoss, new Color(31, 119, 180));
        series(loss, "validation", x, validLoss, new Color(255, 127, 14));
        XYChart bits = chart(title + ": bits per character", "bits per character");
        series(bits, "train", x, trainBits, new Color(31, 119, 180));
        series(bits, "validation", x, validBits, new Color(255, 127, 14));
        writeGrid(file, List.of(loss, bits), 2);
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(640).height(480).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        c.getStyler().setMarkerSize(7);
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setAntiAlias(true);
        return c;
    }

    /** Tick labels of the y axis rounded to what the span of every series so far needs. */
    private static void yTicks(XYChart c) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : c.getSeriesMap().values()) {
            for (double v : s.getYData()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        c.setCustomYAxisTickLabelsFormatter(TickFormat.forRange(lo, hi));
    }

    private static void series(XYChart c, String name, double[] x, double[] y, Color color) {
        List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i])) {
                xs.add(x[i]);
                ys.add(y[i]);
            }
        }
        if (xs.isEmpty()) return;
        XYSeries s = c.addSeries(name, xs, ys);
        yTicks(c);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineColor(color);
        s.setMarkerColor(color);
    }

    /** The colour scale of counts up to {@code max}: {band, top}, whole-number bands of a round width from 0 to {@code top >= max}, at most 10. */
    static long[] countScale(long max) {
        long band = Math.max(1, Math.round(TickFormat.niceStep(Math.max(1, max), 10)));
        return new long[] {band, Math.max(1, (max + band - 1) / band) * band};
    }

    /** {@code n} colours evenly along the piecewise-linear path through {@code anchors} (one colour per band of a piecewise scale). */
    static Color[] blend(int n, Color... anchors) {
        Color[] out = new Color[n];
        for (int i = 0; i < n; i++) {
            double t = n == 1 ? 1 : (double) i / (n - 1) * (anchors.length - 1);
            int k = Math.min(anchors.length - 2, (int) t);
            double f = t - k;
            Color a = anchors[k], b = anchors[k + 1];
            out[i] = new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())), (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
        }
        return out;
    }

    /** A histogram's value axis {lo, hi}: the data's range [lo, hi], widened only to the nearest round tick on either side. */
    static double[] histogramAxis(double lo, double hi) {
        double step = TickFormat.niceStep(hi - lo, 5);
        return new double[] {Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step};
    }

    /** A heat map of the counts: actual class down (first class at the top), predicted across, each cell labelled. */
    static void writeConfusion(ConfusionMatrix m, String[] names, String title, Path file) throws IOException {
        headless();
        int k = m.classes();
        List<String> predicted = new ArrayList<>(), actual = new ArrayList<>();
        for (int c = 0; c < k; c++) predicted.add(name(names, c));
        for (int c = k - 1; c >= 0; c--) actual.add(name(names, c));
        List<Number[]> cells = new ArrayList<>();
        long max = 1;
        for (int a = 0; a < k; a++) {
            for (int p = 0; p < k; p++) {
                cells.add(new Number[] {p, k - 1 - a, m.count(a, p)});
                max = Math.max(max, m.count(a, p));
            }
        }
        HeatMapChart c = new HeatMapChartBuilder().width(820).height(720)
                .title(String.format(java.util.Locale.ROOT, "%s (accuracy %.2f%%)", title, 100 * m.accuracy()))
                .xAxisTitle("predicted class").yAxisTitle("actual class").build();
        c.getStyler().setShowValue(true);
        // counts: a scale of whole-number bands (XChart's gradient legend can only print doubles such as "187.0")
        long[] scale = countScale(max);
        c.getStyler().setMin(0);
        c.getStyler().setMax(scale[1]);
        c.getStyler().setPiecewise(true);
        c.getStyler().setPiecewiseRanged(true);
        int bands = (int) (scale[1] / scale[0]);
        c.getStyler().setSplitNumber(bands);
        c.getStyler().setRangeColors(blend(bands, new Color(247, 251, 255), new Color(158, 202, 225), new Color(66, 146, 198)));
        c.getStyler().setValueFontColor(Color.BLACK);
        c.getStyler().setHeatMapValueDecimalPattern("0");
        c.getStyler().setHeatMapDecimalValueFormatter(v -> Long.toString(Math.round(v)));   // counts: whole numbers, in cells and legend
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setXAxisLabelRotation(35);
        c.getStyler().setLegendVisible(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setAntiAlias(true);
        c.addSeries("examples", predicted, actual, cells);
        write(file, out -> BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /**
     * One histogram panel per named tensor (its finite values in 40 bins), three panels to a row. The value axis spans
     * the data's range (not from zero), widened only to the nearest round tick on either side.
     */
    static void writeHistograms(Map<String, Tensor> tensors, String title, Path file) throws IOException {
        headless();
        List<XYChart> panels = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            float[] v = e.getValue().toArray();
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (float f : v) {
                if (!Float.isFinite(f)) continue;
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
            if (!(lo <= hi)) lo = hi = 0;           // no finite values
            if (!(hi > lo)) hi = lo + 1;            // all values equal: one visible bin
            int bins = 40;
            long[] counts = new long[bins];
            for (float f : v) {
                if (Float.isFinite(f)) counts[Math.min(bins - 1, (int) ((f - lo) / (hi - lo) * bins))]++;
            }
            // the outline of the bars: up and across each bin, down to zero at the end, filled to the axis
            double[] xs = new double[2 * bins + 2], ys = new double[2 * bins + 2];
            long most = 1;
            for (int b = 0; b < bins; b++) {
                xs[2 * b + 1] = xs[2 * b + 2] = lo + (hi - lo) * b / bins;
                ys[2 * b + 1] = ys[2 * b + 2] = counts[b];
                most = Math.max(most, counts[b]);
            }
            for (int b = 0; b < bins; b++) xs[2 * b + 2] = lo + (hi - lo) * (b + 1) / bins;
            xs[0] = lo;
            xs[2 * bins + 1] = hi;
            XYChart c = new XYChartBuilder().width(420).height(300).title(e.getKey()).xAxisTitle("value").yAxisTitle("count").build();
            c.getStyler().setLegendVisible(false);
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setPlotBackgroundColor(Color.WHITE);
            c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
            c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            c.getStyler().setMarkerSize(0);
            double[] axis = histogramAxis(lo, hi);
            double axisLo = axis[0], axisHi = axis[1];
            c.getStyler().setXAxisMin(axisLo);
            c.getStyler().setXAxisMax(axisHi);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setXAxisMaxLabelCount(6);
            c.getStyler().setAntiAlias(true);
            c.setCustomXAxisTickLabelsFormatter(TickFormat.forRange(axisLo, axisHi));
            c.setCustomYAxisTickLabelsFormatter(TickFormat.forRange(0, most));
            XYSeries s = c.addSeries(title, xs, ys);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(new Color(31, 119, 180));
            s.setFillColor(new Color(31, 119, 180, 200));
            panels.add(c);
        }
        writeGrid(file, panels, 3);
    }

    /**
     * One attention head as a heat map: query positions down (first at the top), key positions across, labelled with
     * the characters; {@code w} holds the n × n weights from {@code off}, row by row.
     */
    static void writeAttention(float[] w, int off, int n, String[] chars, String title, Path file) throws IOException {
        headless();
        List<String> keys = new ArrayList<>(), queries = new ArrayList<>();
        for (int k = 0; k < n; k++) keys.add(label(chars[k], k));
        for (int q = n - 1; q >= 0; q--) queries.add(label(chars[q], q));
        List<Number[]> cells = new ArrayList<>();
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) cells.add(new Number[] {k, n - 1 - q, w[off + q * n + k]});
        }
        int side = Math.max(480, 16 * n + 200);
        HeatMapChart c = new HeatMapChartBuilder().width(side + 120).height(side).title(title).xAxisTitle("key").yAxisTitle("query").build();
        c.getStyler().setMin(0);
        c.getStyler().setMax(1);
        c.getStyler().setRangeColors(new Color[] {new Color(255, 255, 255), new Color(253, 174, 97), new Color(215, 48, 39)});
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setLegendVisible(true);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisLabelRotation(90);
        c.addSeries("attention", keys, queries, cells);
        write(file, out -> BitmapEncoder.saveBitmap(c, out, BitmapEncoder.BitmapFormat.PNG));
    }

    /** A position's axis label: the character (a visible mark for blanks), numbered so repeated characters stay distinct. */
    private static String label(String ch, int position) {
        String shown = ch.isBlank() ? "␣" : ch;
        return position + " " + shown;
    }

    private static String name(String[] names, int c) {
        return names != null && c < names.length ? names[c] : Integer.toString(c);
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes the PNG atomically: a failure while drawing or writing leaves no partial file. */
    static void write(Path file, Writer writer) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFiles.writeStream(file, writer::write);
    }

    /**
     * Panels of equal size in a grid of {@code cols} columns, filled row by row; the cells after the last panel
     * stay white (XChart's own grid needs exactly rows × columns charts).
     */
    static BufferedImage grid(List<? extends org.knowm.xchart.internal.chartpart.Chart<?, ?>> panels, int cols) {
        if (panels.isEmpty()) throw new IllegalArgumentException("no panels to draw");
        int c = Math.max(1, Math.min(cols, panels.size())), rows = (panels.size() + c - 1) / c;
        int w = panels.getFirst().getWidth(), h = panels.getFirst().getHeight();
        BufferedImage image = new BufferedImage(c * w, rows * h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                Graphics2D cell = (Graphics2D) g.create((i % c) * w, (i / c) * h, w, h);
                try {
                    panels.get(i).paint(cell, w, h);
                } finally {
                    cell.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void writeGrid(Path file, List<? extends org.knowm.xchart.internal.chartpart.Chart<?, ?>> panels, int cols) throws IOException {
        BufferedImage image = grid(panels, cols);
        write(file, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available");
        });
    }

    private static void headless() {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }
}
