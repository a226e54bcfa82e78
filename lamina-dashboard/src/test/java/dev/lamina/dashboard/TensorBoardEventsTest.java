package dev.lamina.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.lamina.dashboard.Records.num;
import static dev.lamina.dashboard.Records.ofType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorBoardEventsTest {
    @Test
    void maskedCrcOfTheTfRecordFormat() {
        // CRC32C("123456789") = 0xE3069283 (the standard check value); TensorFlow masks it as ((c >>> 15) | (c << 17)) + 0xa282ead8
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        int c = 0xE3069283;
        assertEquals(((c >>> 15) | (c << 17)) + 0xa282ead8, TfRecords.maskedCrc(check, 0, check.length));
    }

    @Test
    void framesReadBackAndDamageIsDetected() {
        byte[] a = "first".getBytes(StandardCharsets.UTF_8), b = new byte[300];
        Arrays.fill(b, (byte) 7);
        byte[] both = concat(TfRecords.frame(a), TfRecords.frame(b));
        TfRecords.Read read = TfRecords.read(both, "f");
        assertNull(read.problem());
        assertEquals(2, read.records().size());
        assertArrayEquals(a, read.records().get(0));
        assertArrayEquals(b, read.records().get(1));

        TfRecords.Read cut = TfRecords.read(Arrays.copyOf(both, both.length - 10), "f");
        assertEquals(1, cut.records().size(), "the record cut off is left out, the one before kept");
        assertTrue(cut.problem().contains("record 1") && cut.problem().contains("cut off"), cut.problem());

        byte[] flipped = both.clone();
        flipped[12 + 2] ^= 1;   // a data byte of the first record
        TfRecords.Read bad = TfRecords.read(flipped, "f");
        assertEquals(0, bad.records().size());
        assertTrue(bad.problem().contains("data's checksum"), bad.problem());
    }

    @Test
    void scalarsHistogramsAndImagesWrittenAreReadBack(@TempDir Path dir) throws IOException {
        Histogram h = Histogram.of(new float[] {-1, 0, 0, 0.5f, 2, Float.NaN}, 0, 6, 4);
        byte[] png = ConfusionImage.of(new long[][] {{3, 1}, {0, 4}}).png();
        try (TensorBoardWriter w = new TensorBoardWriter(dir)) {
            w.scalar("train/loss", 1, 100.5, 0.75);
            w.scalar("train/loss", 2, 101.5, 0.5);
            w.scalar("skipped", 2, 101.5, Double.NaN);
            w.histogram("weights/0.weight", 2, 101.5, h);
            w.image("epoch/confusion", 2, 101.5, 24, 24, 1, png);
        }
        RunSource run = RunSource.open(dir, "tb");
        assertEquals("tensorboard", run.source());
        List<Map<String, Object>> all = Records.all(run);
        List<Map<String, Object>> scalars = ofType(all, "scalar");
        assertEquals(2, scalars.size());
        assertEquals("train/loss", scalars.get(0).get("tag"));
        assertEquals(1L, scalars.get(0).get("step"));
        assertEquals(0.75, num(scalars.get(0), "value"), 0);
        assertEquals(100.5, num(scalars.get(0), "wall"), 0);
        Map<String, Object> hist = ofType(all, "histogram").getFirst();
        assertEquals("weights/0.weight", hist.get("tag"));
        assertEquals(List.of(1L, 2L, 1L, 1L), hist.get("counts"));
        List<?> edges = (List<?>) hist.get("edges");
        assertEquals(5, edges.size());
        assertEquals(-1.0, ((Number) edges.getFirst()).doubleValue(), 0);
        assertEquals(2.0, ((Number) edges.getLast()).doubleValue(), 0);
        Map<String, Object> image = ofType(all, "image").getFirst();
        assertEquals(24L, image.get("height"));
        assertArrayEquals(png, Base64.getDecoder().decode((String) image.get("png")));
    }

    @Test
    void aTrainingRunOpensInTensorBoardFormat(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        TinyRuns.train(dir, 2, 1e-2, 2);
        Path events;
        try (Stream<Path> s = Files.list(dir)) {
            events = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        Path copy = Files.createDirectories(tmp.resolve("only-events"));
        Files.copy(events, copy.resolve(events.getFileName()));
        List<Map<String, Object>> all = Records.all(RunSource.open(copy, "copy"));
        int steps = 2 * TinyRuns.EXAMPLES / TinyRuns.BATCH;
        assertEquals(steps, all.stream().filter(r -> "train/loss".equals(r.get("tag"))).count());
        assertEquals(steps / 2, all.stream().filter(r -> "gradients/2.weight".equals(r.get("tag"))).count());
        assertEquals(steps / 2, all.stream().filter(r -> "activations/1 (ReLU)".equals(r.get("tag"))).count());
        assertEquals(2, all.stream().filter(r -> "epoch/confusion".equals(r.get("tag"))).count());
        assertNotNull(all.stream().filter(r -> "epoch/val_accuracy".equals(r.get("tag"))).findFirst().orElse(null));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
