package dev.lamina.dashboard;

import dev.lamina.train.EarlyStopping;
import dev.lamina.train.History;
import dev.lamina.train.NonFiniteLossException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static dev.lamina.dashboard.Records.num;
import static dev.lamina.dashboard.Records.ofType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunRecorderTest {
    private static final int STEPS_PER_EPOCH = TinyRuns.EXAMPLES / TinyRuns.BATCH;

    @Test
    void recordsEveryStepEpochAndSampledLayerStatistics(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        TinyRuns.train(dir, 3, 1e-2, 2);
        RunSource run = RunSource.open(dir, "run");
        assertNull(run.problem());
        List<Map<String, Object>> all = Records.all(run);
        assertEquals("begin", all.getFirst().get("type"));
        assertEquals(3L, all.getFirst().get("epochs"));
        List<Map<String, Object>> steps = ofType(all, "step");
        assertEquals(3 * STEPS_PER_EPOCH, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            Map<String, Object> s = steps.get(i);
            assertEquals((long) i + 1, s.get("step"));
            assertTrue(num(s, "grad_norm") > 0, "gradient norm of step " + (i + 1));
            assertEquals(1e-2, num(s, "lr"), 1e-9);
            assertTrue(num(s, "samples_per_second") > 0);
        }
        List<Map<String, Object>> layers = ofType(all, "layers");
        assertEquals(3 * STEPS_PER_EPOCH / 2, layers.size(), "statistics every 2 steps");
        for (Map<String, Object> l : layers) {
            assertEquals(0, ((Long) l.get("step")) % 2);
            List<?> hist = (List<?>) l.get("hist");
            // 4 parameters x (weight, gradient) + 3 layer outputs
            assertEquals(4 * 2 + 3, hist.size());
            for (Object o : hist) {
                Map<?, ?> h = (Map<?, ?>) o;
                long total = ((List<?>) h.get("counts")).stream().mapToLong(c -> (Long) c).sum();
                assertEquals(((Number) h.get("n")).longValue(), total, "every value in a bin: " + h.get("kind") + " " + h.get("name"));
                assertEquals(Histogram.BINS + 1, ((List<?>) h.get("edges")).size());
            }
            Map<?, ?> ratios = (Map<?, ?>) l.get("update_ratio");
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(ratios.keySet()));
            for (Object v : ratios.values()) assertTrue(((Number) v).doubleValue() > 1e-6 && ((Number) v).doubleValue() < 1, "update ratio " + v);
        }
        Map<?, ?> activation = (Map<?, ?>) ((List<?>) layers.getFirst().get("hist")).stream().filter(h -> "activation".equals(((Map<?, ?>) h).get("kind"))).toList().get(1);
        assertEquals("1 (ReLU)", activation.get("name"));
        assertTrue(((Number) activation.get("zeros")).doubleValue() > 0, "a ReLU output has zeros");
        List<Map<String, Object>> epochs = ofType(all, "epoch");
        assertEquals(3, epochs.size());
        List<?> confusion = (List<?>) epochs.getLast().get("confusion");
        assertEquals(3, confusion.size());
        long sum = confusion.stream().flatMap(r -> ((List<?>) r).stream()).mapToLong(c -> (Long) c).sum();
        assertEquals(TinyRuns.EXAMPLES, sum);
        assertTrue(num(epochs.getLast(), "stats_share") > 0);
        assertTrue(num(epochs.getLast(), "stats_share_epoch") > 0);
        Map<String, Object> end = ofType(all, "event").getLast();
        assertEquals("completed", end.get("event"));
        assertTrue(((String) end.get("message")).contains("of step time"), (String) end.get("message"));
        assertEquals("tiny mlp", run.settings().get("model"));
        assertEquals(List.of("a", "b", "c"), run.settings().get("classes"));
    }

    @Test
    void recordingDoesNotChangeWhatTrainingComputes(@TempDir Path tmp) throws IOException {
        TinyRuns.Run plain = TinyRuns.train(null, 2, 1e-2, 1);
        TinyRuns.Run recorded = TinyRuns.train(tmp.resolve("run"), 2, 1e-2, 1);
        assertEquals(plain.losses(), recorded.losses(), "the probe forward pass draws nothing and changes nothing");
    }

    @Test
    void checkpointsAndEarlyStoppingAreEvents(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run"), checkpoints = tmp.resolve("ckpt");
        History h = TinyRuns.train(dir, 40, 0.5, 3, t -> t.checkpoints(checkpoints, 0, true)
                .earlyStopping(new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 0))).history();
        assertEquals(History.Stop.EARLY_STOPPING, h.stopReason(), "Adam at 0.5 on the blobs stops improving within 40 epochs");
        List<Map<String, Object>> events = ofType(Records.all(RunSource.open(dir, "run")), "event");
        List<Map<String, Object>> saved = events.stream().filter(e -> "checkpoint".equals(e.get("event"))).toList();
        assertEquals(h.size(), saved.size(), "a checkpoint after every epoch");
        assertTrue(((String) saved.getFirst().get("message")).contains(checkpoints.toString()), (String) saved.getFirst().get("message"));
        Map<String, Object> end = events.getLast();
        assertEquals("early_stopping", end.get("event"));
        assertTrue(((String) end.get("message")).contains("stopped early after epoch " + h.size() + " ") && ((String) end.get("message")).contains("best epoch " + h.bestEpoch()),
                (String) end.get("message"));
    }

    @Test
    void aNanStopIsAnEventNamingTheStep(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("nan");
        assertThrows(NonFiniteLossException.class, () -> TinyRuns.train(dir, 3, 1e30, 1));
        List<Map<String, Object>> all = Records.all(RunSource.open(dir, "nan"));
        Map<String, Object> end = ofType(all, "event").getLast();
        assertEquals("non_finite", end.get("event"));
        long steps = ofType(all, "step").size();
        assertTrue(((String) end.get("message")).contains("(step " + (steps + 1) + ")"), (String) end.get("message"));
    }

    @Test
    void aRunKilledMidLineStillOpensWithEverythingBefore(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("killed");
        TinyRuns.train(dir, 1, 1e-2, 3);
        Path log = dir.resolve(RunLog.FILE);
        int complete = RunSource.open(dir, "x").size();
        Files.writeString(log, "{\"type\":\"step\",\"step\":99,\"lo", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        RunSource run = RunSource.open(dir, "killed");
        assertEquals(complete, run.size());
        assertNotNull(run.problem());
        assertTrue(run.problem().contains("incomplete") && run.problem().contains("records.jsonl"), run.problem());
        // the writer finishing the line (a live run) makes it a record; the problem goes away
        Files.writeString(log, "ss\":1.5}\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertTrue(run.refresh());
        assertEquals(complete + 1, run.size());
        assertNull(run.problem());
    }

    @Test
    void aCorruptLineIsReportedAndTheRestKept(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("corrupt");
        TinyRuns.train(dir, 1, 1e-2, 3);
        int complete = RunSource.open(dir, "x").size();
        Files.writeString(dir.resolve(RunLog.FILE), "not json\n{\"type\":\"event\",\"event\":\"x\",\"message\":\"after\"}\n", StandardOpenOption.APPEND);
        List<Map<String, Object>> all = Records.all(RunSource.open(dir, "corrupt"));
        assertEquals(complete + 2, all.size());
        Map<String, Object> bad = all.get(complete);
        assertEquals("unreadable", bad.get("event"));
        assertTrue(((String) bad.get("message")).contains("line " + (complete + 1)), (String) bad.get("message"));
        assertEquals("after", all.getLast().get("message"));
    }

    @Test
    void directoriesThatHoldNoRunAreRefusedByName(@TempDir Path tmp) throws IOException {
        IOException missing = assertThrows(IOException.class, () -> RunSource.open(tmp.resolve("nope"), "nope"));
        assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains("does not exist"), missing.getMessage());
        Files.createDirectories(tmp.resolve("empty"));
        IOException empty = assertThrows(IOException.class, () -> RunSource.open(tmp.resolve("empty"), "empty"));
        assertTrue(empty.getMessage().contains("holds no run") && empty.getMessage().contains("tfevents"), empty.getMessage());
        Path dir = tmp.resolve("used");
        TinyRuns.train(dir, 1, 1e-2, 3);
        IOException again = assertThrows(IOException.class, () -> TinyRuns.train(dir, 1, 1e-2, 3));
        assertTrue(again.getMessage().contains("already holds a run"), again.getMessage());
    }

    @Test
    void automaticSamplingThinsWhenCollectingCostsTooMuch() {
        SamplingPolicy p = SamplingPolicy.of(0);
        assertTrue(p.automatic());
        assertEquals(SamplingPolicy.AUTO_START, p.every());
        p.step(1_000_000, 10_000, true);
        p.step(1_000_000, 10_000, true);
        assertTrue(Double.isNaN(p.adapt()), "1% is within the budget");
        p.step(1_000_000, 900_000, true);
        double share = p.adapt();
        assertEquals(920_000.0 / 3_000_000, share, 1e-12);
        assertEquals(2 * SamplingPolicy.AUTO_START, p.every());
        SamplingPolicy fixed = SamplingPolicy.of(7);
        fixed.step(1, 1, true);
        fixed.step(1, 1, true);
        assertTrue(Double.isNaN(fixed.adapt()));
        assertEquals(7, fixed.every());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplingPolicy.of(-1));
        assertTrue(e.getMessage().contains("-1"));
        assertFalse(fixed.automatic());
    }

    @Test
    void historyIsUnchangedByTheRecorder(@TempDir Path tmp) throws IOException {
        History h = TinyRuns.train(tmp.resolve("h"), 2, 1e-2, 0).history();
        assertEquals(History.Stop.COMPLETED, h.stopReason());
        assertEquals(2, h.size());
    }
}
