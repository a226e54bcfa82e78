package dev.lamina.io;

import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Errors of the atomic writers name the path the caller gave and the cause, never the temporary file. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsIntoAMissingDirectoryNamesTheUsersPathAndTheMissingDirectory() {
        Path target = dir.resolve("missing").resolve("sub").resolve("m.safetensors");
        IOException e = assertThrows(IOException.class, () -> Safetensors.write(target, Map.of("a", Tensor.vector(1, 2))));
        assertEquals("cannot write " + target + ": directory " + target.getParent() + " does not exist", e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
    }

    @Test
    void npyBelowAFileSaysThatItIsNotADirectory() throws IOException {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");
        Path target = file.resolve("out.npy");
        IOException e = assertThrows(IOException.class, () -> Npy.write(target, new int[] {2}, new float[] {1, 2}));
        assertEquals("cannot write " + target + ": " + file + " is not a directory", e.getMessage());
    }

    @Test
    void writingOverADirectorySaysSoAndLeavesNoTemporaryFile() throws IOException {
        Path target = Files.createDirectory(dir.resolve("taken"));
        Files.writeString(target.resolve("inside"), "keep");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1, 2, 3}));
        assertEquals("cannot write " + target + ": it is a directory", e.getMessage());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "only the directory itself remains");
        }
    }

    @Test
    void aFailedRenameGivesBothPathsAndTheCause() throws IOException {
        Path from = Files.createDirectory(dir.resolve("a"));
        Path to = Files.createDirectory(dir.resolve("b"));
        Files.writeString(to.resolve("occupied"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.move(from, to));
        assertTrue(e.getMessage().startsWith("cannot rename " + from + " to " + to + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("non-empty directory") || e.getMessage().contains("exists") || e.getMessage().contains("is a directory"), e.getMessage());
        Path gone = dir.resolve("never-there");
        IOException e2 = assertThrows(IOException.class, () -> AtomicFiles.move(gone, dir.resolve("c")));
        assertEquals("cannot rename " + gone + " to " + dir.resolve("c") + ": no such file or directory", e2.getMessage());
    }

    @Test
    void theContentIsWrittenAndReplacesTheOldFile() throws IOException {
        Path target = dir.resolve("f.bin");
        AtomicFiles.write(target, new byte[] {1, 2});
        AtomicFiles.writeStream(target, out -> out.write(new byte[] {3, 4, 5}));
        assertArrayEquals(new byte[] {3, 4, 5}, Files.readAllBytes(target));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file is left beside it");
        }
    }
}
