package dev.lamina.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.lamina.train.ResumableRun.EPOCHS;
import static dev.lamina.train.ResumableRun.Setup;
import static dev.lamina.train.ResumableRun.historyString;
import static dev.lamina.train.ResumableRun.setup;
import static dev.lamina.train.ResumableRun.weights;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Resuming in-process: a run interrupted several times (mid-epoch and at an epoch boundary) and resumed each time
 * from its latest checkpoint, with new model, optimizer, scheduler, trainer and loader objects, computes the very
 * losses, metrics and final weights of an uninterrupted run.
 */
class CheckpointResumeTest {
    @TempDir
    Path tmp;

    private static final class Crash extends RuntimeException {
        Crash(long step) {
            super("simulated crash after step " + step);
        }
    }

    private record Run(List<Double> losses, String history, Map<String, float[]> weights) {
    }

    private static Run uninterrupted(String optimizer) {
        Setup s = setup(optimizer, 11);
        List<Double> losses = new ArrayList<>();
        s.trainer().callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult b) {
                losses.add(b.loss());
            }
        });
        History h = s.trainer().fit(s.loader(), s.validation(), EPOCHS);
        return new Run(losses, historyString(h), weights(s.model()));
    }

    private static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k + " differs"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adamw-amsgrad", "sgd-nesterov", "rmsprop"})
    void interruptedAndResumedRunsAreBitIdenticalToAnUninterruptedOne(String optimizer) throws IOException {
        Run ref = uninterrupted(optimizer);
        int steps = EPOCHS * (ResumableRun.TRAIN / ResumableRun.BATCH);
        assertEquals(steps, ref.losses().size());
        Path dir = tmp.resolve(optimizer);
        // checkpoints every 7 steps and every epoch (75 steps); crashes in callbacks, before that step's checkpoint:
        // 40 resumes from 35 (mid-epoch 1), 151 from 150 (the end of epoch 2), 203 from 196, 264 from 259
        long[] crashes = {40, 151, 203, 264};
        long[] expectedResume = {35, 150, 196, 259};
        History last = null;
        Setup s = null;
        for (int attempt = 0; attempt <= crashes.length; attempt++) {
            s = setup(optimizer, 11);
            s.loader().prefetch(attempt % 2 == 0 ? 2 : 0); // prefetching or not changes nothing
            s.trainer().checkpoints(dir, 7, true);
            long start = 0;
            if (attempt > 0) {
                Checkpoint c = Checkpoint.load(dir);
                start = c.progress().globalStep();
                assertEquals(expectedResume[attempt - 1], start, "resumed from the latest checkpoint");
                s.trainer().resume(c);
            }
            long crashAt = attempt < crashes.length ? crashes[attempt] : -1;
            long[] step = {start};
            s.trainer().callback(new Callback() {
                @Override
                public void onBatchEnd(BatchResult b) {
                    step[0]++;
                    assertEquals(ref.losses().get((int) step[0] - 1), b.loss(), "loss of step " + step[0]);
                    if (step[0] == crashAt) throw new Crash(step[0]);
                }
            });
            Setup run = s;
            if (crashAt > 0) {
                assertThrows(Crash.class, () -> run.trainer().fit(run.loader(), run.validation(), EPOCHS));
                assertEquals(crashAt, step[0]);
            } else {
                last = run.trainer().fit(run.loader(), run.validation(), EPOCHS);
                assertEquals(steps, step[0]);
            }
        }
        assertEquals(ref.history(), historyString(last), "history (losses, accuracies, lr, best epoch) identical");
        assertEquals(EPOCHS, last.size());
        assertSameWeights(ref.weights(), weights(s.model()));
        try (Stream<Path> l = Files.list(dir)) {
            List<String> names = l.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("ckpt-000000294", "ckpt-000000300", "latest"), names, "the final checkpoint, its predecessor and the pointer remain");
        }
    }

    @Test
    void resumingAFinishedRunTrainsNothingAndGivesTheSameResult() throws IOException {
        Setup a = setup("adam", 11);
        a.trainer().checkpoints(tmp, 0, true);
        History h = a.trainer().fit(a.loader(), a.validation(), EPOCHS);
        Checkpoint c = Checkpoint.load(tmp);
        assertEquals(EPOCHS + 1, c.progress().epoch());
        assertEquals("COMPLETED", c.progress().stop());

        Setup b = setup("adam", 11);
        int[] batches = {0};
        b.trainer().callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult r) {
                batches[0]++;
            }
        });
        History h2 = b.trainer().resume(c).fit(b.loader(), b.validation(), EPOCHS);
        assertEquals(0, batches[0]);
        assertEquals(historyString(h), historyString(h2));
        assertSameWeights(weights(a.model()), weights(b.model()));
    }

    @Test
    void aCheckpointThatDoesNotFitTheRunIsRefusedWithReasons() throws IOException {
        Setup a = setup("adam", 11);
        a.trainer().checkpoints(tmp, 10, false);
        a.trainer().callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult b) {
                if (b.epoch() == 1 && b.batch() == 12) throw new Crash(12);
            }
        });
        assertThrows(Crash.class, () -> a.trainer().fit(a.loader(), a.validation(), EPOCHS));
        Checkpoint c = Checkpoint.load(tmp);

        Setup sgd = setup("sgd-nesterov", 11);
        Map<String, float[]> before = weights(sgd.model());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.trainer().resume(c));
        assertTrue(e.getMessage().contains("Adam") && e.getMessage().contains("SGD"), e.getMessage());
        assertSameWeights(before, weights(sgd.model()));

        Setup other = setup("adam", 11);
        other.trainer().resume(c);
        var smaller = new dev.lamina.data.DataLoader(ResumableRun.blobs(600, 3), ResumableRun.BATCH, true, false, new dev.lamina.tensor.Rng(1));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> other.trainer().fit(smaller, other.validation(), EPOCHS));
        assertTrue(e2.getMessage().contains("38 batches and 600 examples") && e2.getMessage().contains("75 and 1200"), e2.getMessage());
    }
}
