package dev.lamina.fuzz;

import dev.lamina.io.Safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jazzer fuzz target for {@link Safetensors#readAll(Path)} (the reader maps a file, so each input is written to one
 * temporary file first): any input must load or be rejected with an {@link IOException}; every other throwable, a
 * hang or an OutOfMemoryError is a finding. Run by {@code tools/fuzz.sh}; not part of the unit tests.
 */
public final class SafetensorsFuzzTarget {
    private static final Path FILE;

    static {
        try {
            Path dir = Files.createTempDirectory("lamina-fuzz-st");
            FILE = dir.resolve("input.safetensors");
            dir.toFile().deleteOnExit();
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SafetensorsFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) throws IOException {
        Files.write(FILE, data); // an IOException here is the harness failing, and is reported as such
        try {
            Safetensors.readAll(FILE);
        } catch (IOException expected) {
            FuzzSupport.checkMessage(expected);
        }
    }
}
