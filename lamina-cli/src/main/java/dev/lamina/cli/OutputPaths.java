package dev.lamina.cli;

import dev.lamina.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Output paths given on the command line, made ready before the work starts: missing parent directories are
 * created and a file is created and removed where the output will go, so that a run that would fail to save its
 * result fails in its first second, naming the flag and the path, rather than after hours of training.
 */
final class OutputPaths {
    private OutputPaths() {
    }

    /** Makes {@code file}'s directory exist and checks a file can be written there. */
    static void prepareFile(String flag, Path file) throws IOException {
        if (file == null) return;
        if (Files.isDirectory(file)) throw new IOException(flag + " " + file + ": is a directory; give a file name");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) prepareDirectory(flag, file, parent);
    }

    /** Makes {@code dir} exist and checks files can be written into it. */
    static void prepareDirectory(String flag, Path dir) throws IOException {
        if (dir == null) return;
        prepareDirectory(flag, dir, dir.toAbsolutePath());
    }

    private static void prepareDirectory(String flag, Path given, Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) existing = existing.getParent();
            String why = existing != null && !Files.isDirectory(existing) ? existing + " is a file, not a directory" : AtomicFiles.reason(e, dir);
            throw new IOException(flag + " " + given + ": cannot create directory " + dir + " (" + why + ")", e);
        }
        try {
            Files.delete(Files.createTempFile(dir, ".lamina-write-check-", ".tmp"));
        } catch (IOException e) {
            throw new IOException(flag + " " + given + ": cannot write into " + dir + " (" + AtomicFiles.reason(e, dir.resolve("x")) + ")", e);
        }
    }
}
