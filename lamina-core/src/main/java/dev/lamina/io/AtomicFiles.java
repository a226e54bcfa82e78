package dev.lamina.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files written atomically: the content goes to a hidden temporary file beside the target, is forced to disk, and is
 * renamed over the target, so readers see the old file or the complete new one, never a partial one. Errors name the
 * target as the caller gave it (never the temporary file) and say why, e.g.
 * {@code cannot write out/m.safetensors: directory out does not exist}.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content through a file channel. */
    public interface ChannelBody {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes the content through a buffered stream (flushed by {@link #writeStream}; the body must not close it). */
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** Writes what {@code body} writes to a stream to {@code target} atomically. */
    public static void writeStream(Path target, StreamBody body) throws IOException {
        Objects.requireNonNull(body, "body");
        write(target, ch -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            body.write(out);
            out.flush();
        });
    }

    /**
     * Writes what {@code body} writes to {@code target} atomically, replacing any existing file. On any failure the
     * previous file, if any, is untouched and the temporary file is removed.
     *
     * @throws IOException naming {@code target} and the cause (missing directory, permission denied, disk full...)
     */
    public static void write(Path target, ChannelBody body) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(body, "body");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = dir.resolve("." + abs.getFileName() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                body.write(ch);
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + reason(e, target), e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is what matters
                }
            }
        }
        forceDirectory(dir);
    }

    /**
     * Renames {@code from} to {@code to} atomically (replacing nothing).
     *
     * @throws IOException naming both paths and the cause
     */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("cannot rename " + from + " to " + to + ": " + reason(e, to), e);
        }
    }

    /** Makes a directory's entries (creations, renames) durable; best effort where the platform cannot. */
    public static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not supported on every platform
        }
    }

    /**
     * Why a file operation on {@code target} failed, in words: the JDK's exceptions often carry only a path (the
     * temporary file's), which says nothing on its own.
     */
    public static String reason(IOException e, Path target) {
        Path parent = target.toAbsolutePath().getParent();
        String given = target.getParent() != null ? target.getParent().toString() : String.valueOf(parent);
        if (Files.isDirectory(target)) return "it is a directory";
        if (e instanceof NoSuchFileException) {
            if (parent != null && !Files.exists(parent)) return "directory " + given + " does not exist";
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException || (parent != null && Files.exists(parent) && !Files.isDirectory(parent))) {
            return given + " is not a directory";
        }
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileAlreadyExistsException) return "it already exists";
        if (e instanceof DirectoryNotEmptyException) return "a non-empty directory is in the way";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
