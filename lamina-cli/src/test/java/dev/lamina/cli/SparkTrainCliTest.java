package dev.lamina.cli;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lamina train --spark local[2]}: a run with checkpoints, {@code --resume} of it, and the flags it refuses. */
class SparkTrainCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");
    private static SparkSession spark;

    /** One local[2] session for all the commands here (a command leaves a session it did not start running). */
    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void trainsOnSparkPrintsTheComputeAndAllReduceSplitSavesAndResumes(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("ckpt"), saved = dir.resolve("mlp.safetensors");
        // 640 examples, global batch 64 over 2 workers: 10 steps per epoch
        CliRun a = CliRun.run("train", "--spark", "local[2]", "--data", DATA.toString(), "--limit", "640", "--epochs", "1", "--batch-size", "64",
                "--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "4", "--save", saved.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("2 workers x batch 32"), a.out());
        assertTrue(a.out().matches("(?s).*epoch 1/1  loss \\d\\.\\d{4}  accuracy 0\\.\\d{4}\n.*"), a.out());
        assertTrue(a.out().matches("(?s).*per step: \\d+\\.\\d\\d ms compute \\+ \\d+\\.\\d\\d ms all-reduce \\(10 steps in this run\\).*"), a.out());
        assertTrue(a.out().contains("uneven=DROP: 10 steps per epoch of 2 x 32 samples; 0 of 640 rows per epoch are skipped"), a.out());
        assertTrue(a.out().matches("(?s).*test: loss \\d\\.\\d{4}  accuracy 0\\.\\d{4}.*"), a.out());
        assertTrue(Files.isRegularFile(saved));
        assertEquals("ckpt-000000010", Files.readString(ckpt.resolve("latest")).strip());

        CliRun evaluated = CliRun.run("evaluate", saved.toString(), "--data", DATA.toString());
        assertEquals(0, evaluated.code(), evaluated.err());

        CliRun b = CliRun.run("train", "--spark", "local[2]", "--data", DATA.toString(), "--limit", "640", "--epochs", "2", "--batch-size", "64",
                "--resume", ckpt.toString());
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("(10 steps in this run, resumed from step 10)"), b.out());
        assertTrue(b.out().contains("epoch 2/2"), b.out());
        assertEquals("ckpt-000000020", Files.readString(ckpt.resolve("latest")).strip());
    }

    @Test
    void refusesWhatItCannotDoNamingTheFlag() {
        CliRun r = CliRun.run("train", "--spark", "local[2]", "--model", "lstm");
        assertTrue(r.code() != 0, r.out());
        assertTrue(r.err().contains("--spark trains the image models mlp, cnn, rowlstm; got --model lstm"), r.err());
        r = CliRun.run("train", "--spark", "local[2]", "--batch-size", "63", "--workers", "2");
        assertTrue(r.err().contains("--batch-size 63 (the global batch with --spark) must be a positive multiple of --workers 2"), r.err());
        r = CliRun.run("train", "--spark", "local[2]", "--patience", "2", "--plot", "x.png");
        assertTrue(r.err().contains("--spark does not take --patience, --plot (yet)"), r.err());
        r = CliRun.run("train", "--spark", "local[2]", "--uneven", "sometimes");
        assertTrue(r.err().contains("--uneven must be pad or drop, got 'sometimes'"), r.err());
        r = CliRun.run("train", "--workers", "2");
        assertTrue(r.err().contains("--workers, --uneven and --average-every need --spark MASTER"), r.err());
        assertTrue(r.code() != 0);
    }
}
