package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Charts for any number of layers, for the language models' runs, never left half-written. */
class ChartsCliTest {
    private static final Path IMAGES = Path.of("..", "data", "fashion-mnist-subset");
    private static final Path KJV = Path.of("..", "data", "kjv-subset", "kjv-subset.txt");

    private static BufferedImage png(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " missing");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode as an image");
        return img;
    }

    @Test
    void rowLstmHistogramsOfFiveLayersFillTwoRowsOfThree(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("inspect", "rowlstm", "--data", IMAGES.toString(), "--batch", "4", "--charts", dir.toString());
        assertEquals(0, r.code(), r.err());
        long layers = r.out().lines().filter(l -> l.matches("^\\d+ \\(\\w+\\).*")).count();
        assertTrue(layers % 3 != 0, "the regression needs a layer count that is not a multiple of 3: " + layers + "\n" + r.out());
        BufferedImage img = png(dir.resolve("activations.png"));
        assertEquals(3 * 420, img.getWidth());
        assertEquals((layers + 2) / 3 * 300, img.getHeight());
    }

    @Test
    void aGridLeavesTheCellsAfterTheLastPanelWhite() {
        java.util.List<org.knowm.xchart.XYChart> panels = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            org.knowm.xchart.XYChart c = new org.knowm.xchart.XYChartBuilder().width(100).height(80).title("p" + i).build();
            c.addSeries("s", new double[] {0, 1}, new double[] {0, i});
            panels.add(c);
        }
        BufferedImage img = Charts.grid(panels, 3);
        assertEquals(300, img.getWidth());
        assertEquals(160, img.getHeight());
        for (int x = 200; x < 300; x += 7) for (int y = 80; y < 160; y += 7) assertEquals(0xFFFFFF, img.getRGB(x, y) & 0xFFFFFF, "cell 6 is empty");
        assertThrows(IllegalArgumentException.class, () -> Charts.grid(java.util.List.of(), 3));
    }

    @Test
    void plotOfALanguageModelRunWritesLossAndBitsPerCharacterCurves(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), Files.readString(KJV).substring(0, 8_000));
        Path plot = dir.resolve("charts").resolve("lstm.png");
        CliRun r = CliRun.run("train", "--model", "lstm", "--data", text.toString(), "--epochs", "2", "--limit", "64", "--seq-len", "16", "--plot", plot.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + plot), r.out());
        BufferedImage img = png(plot);
        assertEquals(1280, img.getWidth());
        assertEquals(480, img.getHeight());
    }

    @Test
    void theCurvesNameTheHeldOutSetTheyShow() {
        java.util.List<dev.lamina.train.EpochResult> epochs = java.util.List.of(
                new dev.lamina.train.EpochResult(1, 0.9, 0.6, new dev.lamina.train.Evaluation(0.8, 0.65, null, 10), 1e-3, 1, 0.1, 100),
                new dev.lamina.train.EpochResult(2, 0.7, 0.7, new dev.lamina.train.Evaluation(0.75, 0.7, null, 10), 1e-3, 1, 0.1, 100));
        for (String set : java.util.List.of("validation", "test")) {
            java.util.List<org.knowm.xchart.XYChart> panels = Charts.curves(epochs, set, "mlp");
            assertEquals(2, panels.size());
            for (org.knowm.xchart.XYChart c : panels) assertEquals(java.util.List.of("train", set), java.util.List.copyOf(c.getSeriesMap().keySet()), c.getTitle());
        }
    }

    @Test
    void aChartThatFailsWhileBeingWrittenLeavesNoPartialFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("activations.png");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Charts.write(file, out -> {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
            throw new IllegalStateException("drawing failed");
        }));
        assertEquals("drawing failed", e.getMessage());
        try (var s = Files.list(dir)) {
            assertEquals(0, s.count(), "neither a partial PNG nor a temporary file is left");
        }
    }

    @Test
    void histogramAxesStartWhereTheDataDoesNotAtZero() {
        assertArrayEquals(new double[] {5, 6}, Charts.histogramAxis(5.02, 5.93), 1e-9);
        assertArrayEquals(new double[] {-0.3, 0.3}, Charts.histogramAxis(-0.257, 0.234), 1e-9);
        assertArrayEquals(new double[] {0, 1}, Charts.histogramAxis(0, 1), 1e-9);
    }

    @Test
    void theConfusionColourScaleHasWholeNumberBands() {
        assertArrayEquals(new long[] {20, 200}, Charts.countScale(187));
        assertArrayEquals(new long[] {1, 3}, Charts.countScale(3));
        assertArrayEquals(new long[] {1, 1}, Charts.countScale(0));
        assertArrayEquals(new long[] {1000, 10000}, Charts.countScale(9999));
        java.awt.Color white = java.awt.Color.WHITE, blue = new java.awt.Color(0, 0, 200);
        java.awt.Color[] bands = Charts.blend(9, white, java.awt.Color.GRAY, blue);
        assertEquals(9, bands.length, "one colour per band: XChart's piecewise scale indexes them by band");
        assertEquals(white, bands[0]);
        assertEquals(blue, bands[8]);
    }
}
