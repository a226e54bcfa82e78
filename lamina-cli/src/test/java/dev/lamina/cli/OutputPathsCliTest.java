package dev.lamina.cli;

import dev.lamina.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Output paths: missing directories are created; an impossible destination fails before any training, naming the flag and the path. */
class OutputPathsCliTest {
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");

    @Test
    void saveIntoAMissingDirectoryCreatesItAndWritesTheWeights(@TempDir Path dir) throws Exception {
        Path save = dir.resolve("missing").resolve("sub").resolve("m.safetensors");
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "128", "--save", save.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + save), r.out());
        assertEquals("mlp", Safetensors.readMetadata(save).get("lamina.model"));
    }

    @Test
    void saveBelowAFileFailsBeforeTrainingNamingTheFlagAndThePath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "not a directory");
        Path save = file.resolve("m.safetensors");
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "128", "--save", save.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--save " + save + ": cannot create directory") && r.err().contains(file + " is a file, not a directory"), r.err());
        assertFalse(r.out().contains("epoch 1/1"), "nothing is trained: " + r.out());
        assertFalse(r.err().contains(".tmp"), r.err());
    }

    @Test
    void saveOntoADirectoryAndPlotBelowAFileAreRefusedUpFront(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "128", "--save", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--save " + dir + ": is a directory"), r.err());
        Path file = Files.writeString(dir.resolve("f"), "x");
        CliRun p = CliRun.run("train", "--data", DATA.toString(), "--epochs", "1", "--limit", "128", "--plot", file.resolve("c.png").toString());
        assertEquals(1, p.code());
        assertTrue(p.err().contains("--plot " + file.resolve("c.png")), p.err());
        assertFalse(p.out().contains("epoch 1/1"), p.out());
    }

    @Test
    void exportIntoAMissingDirectoryCreatesIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("a").resolve("b").resolve("mlp.onnx");
        CliRun r = CliRun.run("export", "--model", "MLP", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(out) > 100_000, "the ONNX file holds the weights");
        try (var s = Files.list(out.getParent())) {
            assertEquals(1, s.count(), "no temporary or probe file is left");
        }
        Path file = Files.writeString(dir.resolve("f"), "x");
        CliRun bad = CliRun.run("export", "--model", "mlp", "--output", file.resolve("m.onnx").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--output " + file.resolve("m.onnx")) && bad.err().contains("is a file, not a directory"), bad.err());
    }
}
