package dev.lamina.spark;

import dev.lamina.train.EpochResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cosine schedule on Spark: stepped after each epoch on every replica, and kept in the checkpoints. */
class LrScheduleTest {

    @Test
    void cosineHalvesTheRateForTheSecondOfTwoEpochsAndTheCheckpointRecordsIt(@TempDir Path dir) throws Exception {
        var df = SparkTestData.frame(SparkTestData.local(), SparkTestData.fashion().train(), 640);
        SparkTrainer.fit(df, SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(2).batchPerWorker(32).epochs(2).lr(1e-3)
                .lrSchedule("cosine").checkpoints(dir.toString(), 0).build());
        List<EpochResult> h = dev.lamina.train.Checkpoint.load(dir).history();
        assertEquals(1e-3, h.get(0).lr(), 1e-12);
        assertEquals(0.5e-3, h.get(1).lr(), 1e-12);
        var e = assertThrows(IllegalArgumentException.class, () -> SparkTrainConfig.builder(ModelFactory.named("mlp")).lrSchedule("onecycle").build());
        assertEquals("SparkTrainConfig: unknown lrSchedule 'onecycle'; available: constant, cosine", e.getMessage());
    }
}
