package dev.lamina.train;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Input;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.optim.Adam;
import dev.lamina.optim.LrSchedule;
import dev.lamina.optim.Scheduler;
import dev.lamina.tensor.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A per-step schedule (one-cycle) in the Trainer: stepped after every optimizer step, the rate of each step is the
 * schedule's; checkpointed mid-epoch and resumed with fresh objects, the run ends with the same weights bit for bit.
 */
class PerStepScheduleTest {
    private static final int EPOCHS = 3, BATCH = 20, TRAIN = 200;

    private record Run(Sequential model, Adam optimizer, Trainer trainer, DataLoader loader, Dataset validation) {
    }

    private static Run run(long seed) {
        Rng.manualSeed(seed + 1);
        Rng rng = new Rng(seed);
        Sequential model = new Sequential(new Input(20), new Linear(20, 32, true, rng), new ReLU(), new Dropout(0.1, rng.split()), new Linear(32, 5, true, rng));
        Adam opt = new Adam(model.parameters(), 1e-2);
        int steps = EPOCHS * (TRAIN / BATCH);
        Trainer trainer = new Trainer(model, new CrossEntropyLoss(), opt).verbose(false)
                .scheduler(Scheduler.perStep(opt, LrSchedule.oneCycle(steps)));
        DataLoader loader = new DataLoader(ResumableRun.blobs(TRAIN, seed + 7), BATCH, true, false, rng.split());
        return new Run(model, opt, trainer, loader, ResumableRun.blobs(60, seed + 8));
    }

    @Test
    void everyStepGetsTheSchedulesRate() {
        Run r = run(5);
        List<Double> lrs = new ArrayList<>();
        r.trainer().callback(new Callback() {
            @Override
            public void onBatchEnd(BatchResult b) {
                lrs.add(r.optimizer().lr());
            }
        });
        History h = r.trainer().fit(r.loader(), r.validation(), EPOCHS);
        LrSchedule expected = LrSchedule.oneCycle(30);
        assertEquals(30, lrs.size());
        // the rate after step i is the schedule's at position i + 1 (the rate the next step uses)
        for (int i = 0; i < 29; i++) assertEquals(expected.lr(1e-2, i + 1), lrs.get(i), 1e-15, "step " + i);
        // the epoch's reported rate is the one its first step used
        assertEquals(expected.lr(1e-2, 0), h.epochs().get(0).lr(), 1e-15);
        assertEquals(expected.lr(1e-2, 10), h.epochs().get(1).lr(), 1e-15);
        assertTrue(h.last().valAccuracy() > 0.6, "accuracy " + h.last().valAccuracy());
    }

    @Test
    void resumesMidEpochBitForBit(@TempDir Path dir) throws Exception {
        Run reference = run(9);
        reference.trainer().fit(reference.loader(), reference.validation(), EPOCHS);
        Map<String, float[]> expected = ResumableRun.weights(reference.model());

        Run first = run(9);
        first.trainer().checkpoints(dir, 7, false).callback(new Callback() {
            @Override
            public void onCheckpoint(Path checkpoint) {
                throw new IllegalStateException("simulated crash");
            }
        });
        assertThrows(IllegalStateException.class, () -> first.trainer().fit(first.loader(), first.validation(), EPOCHS));
        Checkpoint c = Checkpoint.load(dir);
        assertEquals(7, c.progress().globalStep());
        assertEquals(7, c.scheduler().epoch());

        Run second = run(9);
        second.trainer().resume(c).fit(second.loader(), second.validation(), EPOCHS);
        Map<String, float[]> actual = ResumableRun.weights(second.model());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k + " differs"));
        assertEquals(reference.optimizer().lr(), second.optimizer().lr());
    }

    @Test
    void refusesToResumeAPerEpochScheduleAsPerStep(@TempDir Path dir) throws Exception {
        Run first = run(3);
        Trainer perEpoch = new Trainer(first.model(), new CrossEntropyLoss(), first.optimizer()).verbose(false)
                .scheduler(new Scheduler(first.optimizer(), LrSchedule.cosine(EPOCHS, 0))).checkpoints(dir, 0, true);
        perEpoch.fit(first.loader(), first.validation(), 2);
        Run second = run(3);
        var e = assertThrows(IllegalArgumentException.class, () -> second.trainer().resume(Checkpoint.load(dir)));
        assertTrue(e.getMessage().contains("stepped per epoch, this trainer's per step"), e.getMessage());
    }
}
