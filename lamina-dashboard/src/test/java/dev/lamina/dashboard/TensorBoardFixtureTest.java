package dev.lamina.dashboard;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.lamina.dashboard.Records.num;
import static dev.lamina.dashboard.Records.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Event files written by another implementation (tools/fixtures/make_tensorboard_fixtures.py: the official protobuf
 * runtime, its own CRC32C) in the shapes PyTorch's SummaryWriter and TensorFlow 2 / Keras write.
 */
class TensorBoardFixtureTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(TensorBoardFixtureTest.class.getResource("/tensorboard/" + name).toURI());
    }

    @Test
    void pytorchStyleScalarsHistogramAndImage() throws Exception {
        RunSource run = RunSource.open(fixture("pytorch-style"), "pytorch");
        assertNull(run.problem());
        List<Map<String, Object>> all = Records.all(run);
        List<Map<String, Object>> loss = ofType(all, "scalar");
        assertEquals(10, loss.size());
        for (int step = 0; step < 10; step++) {
            assertEquals("loss", loss.get(step).get("tag"));
            assertEquals((long) step, loss.get(step).get("step"));
            assertEquals((float) (1.0 / (step + 1)), (float) num(loss.get(step), "value"), "float32 values are written as float32 text");
            assertEquals(1700000000.0 + step, num(loss.get(step), "wall"), 0);
        }
        Map<String, Object> h = ofType(all, "histogram").getFirst();
        assertEquals("weights/fc", h.get("tag"));
        // torch's layout: an empty first bucket at the minimum, then np.histogram's 6 buckets of width 1 over [-2, 4]
        assertEquals(List.of(-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0), ((List<?>) h.get("edges")).stream().map(e -> ((Number) e).doubleValue()).toList());
        assertEquals(List.of(2L, 2L, 2L, 4L, 2L, 3L), h.get("counts"));
        Map<String, Object> image = ofType(all, "image").getFirst();
        assertEquals("input", image.get("tag"));
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) image.get("png"))));
        assertEquals(6, png.getWidth());
        assertEquals(4, png.getHeight());
        assertEquals(6L, image.get("width"));
    }

    @Test
    void kerasStyleTensorSummariesInTrainAndValidationDirectories() throws Exception {
        List<Map<String, Object>> all = Records.all(RunSource.open(fixture("keras-style"), "keras"));
        List<Map<String, Object>> scalars = ofType(all, "scalar");
        assertEquals(List.of("train/epoch_loss", "train/epoch_loss", "train/epoch_loss", "validation/epoch_loss", "validation/epoch_loss", "validation/epoch_loss"),
                scalars.stream().map(r -> r.get("tag")).toList());
        assertEquals(List.of(0.9f, 0.6f, 0.45f, 0.8f, 0.7f, 0.65f), scalars.stream().map(r -> (float) num(r, "value")).toList(),
                "float_val (train) and tensor_content (validation); the plugin named on the first value only");
        Map<String, Object> h = ofType(all, "histogram").getFirst();
        assertEquals("train/dense/kernel_0", h.get("tag"));
        assertEquals(2L, h.get("step"));
        assertEquals(List.of(-1.0, 0.0, 1.0, 2.0), ((List<?>) h.get("edges")).stream().map(e -> ((Number) e).doubleValue()).toList());
        assertEquals(List.of(3L, 5L, 2L), h.get("counts"));
    }
}
