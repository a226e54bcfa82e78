package dev.lamina.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a directory that one process writes into (a run's checkpoint directory): an operating-system
 * lock ({@link FileChannel#tryLock()}) on the file {@value #FILE} inside it, which also records who holds it (process
 * id, start time, what it runs) so that a refused second writer can say whom it waits for. The lock is released by
 * {@link #close()} or when the process ends, however it ends; the file itself stays (it is rewritten by the next
 * holder).
 */
public final class DirectoryLock implements AutoCloseable {
    /** The lock file's name inside the locked directory. */
    public static final String FILE = "run.lock";

    /**
     * Directories locked by this JVM (real paths) and their holders: a second lock in the same process is refused
     * here, without opening the lock file again (on POSIX systems closing any descriptor of a file drops all of the
     * process's locks on it).
     */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path dir;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DirectoryLock(Path dir, Path key, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir} (which must exist) for this process, recording {@code owner} (what the process does, e.g.
     * the command line) with the process id and the time.
     *
     * @throws IOException when another process (or another lock in this one) holds it, naming the holder as its
     *                     lock file describes it
     */
    public static DirectoryLock acquire(Path dir, String owner) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path file = dir.resolve(FILE);
        String who = "pid " + ProcessHandle.current().pid() + ", started " + Instant.now() + (owner == null || owner.isBlank() ? "" : ": " + owner);
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            throw new IOException("cannot lock " + dir + ": " + AtomicFiles.reason(e, file), e);
        }
        String inThisProcess = HELD.putIfAbsent(key, who);
        if (inThisProcess != null) throw inUse(dir, "held by " + inThisProcess);
        try {
            return lock(dir, key, file, who);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static DirectoryLock lock(Path dir, Path key, Path file, String who) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("cannot lock " + dir + ": cannot open " + file + ": " + AtomicFiles.reason(e, file), e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot lock " + dir + ": " + AtomicFiles.reason(e, file), e);
        }
        if (lock == null) {
            ch.close();
            throw inUse(dir, holder(file));
        }
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((who + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw new IOException("cannot lock " + dir + ": cannot write " + file + ": " + AtomicFiles.reason(e, file), e);
        }
        return new DirectoryLock(dir, key, ch, lock);
    }

    private static IOException inUse(Path dir, String holder) {
        return new IOException(dir + " is in use by another run (" + holder + "); wait for it to finish or stop it"
                + " (its lock is released when its process ends), or use another directory");
    }

    /** What the lock file says about its holder (its first line), or that it says nothing. */
    private static String holder(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            int nl = s.indexOf('\n');
            if (nl >= 0) s = s.substring(0, nl);
            if (s.length() > 300) s = s.substring(0, 300) + "...";
            return s.isEmpty() ? "its holder has not yet written " + file : "held by " + s;
        } catch (IOException e) {
            return "its lock file " + file + " is unreadable";
        }
    }

    /** The locked directory. */
    public Path directory() {
        return dir;
    }

    /** Releases the lock. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            if (lock.isValid()) lock.release();
        } finally {
            try {
                channel.close();
            } finally {
                HELD.remove(key);
            }
        }
    }
}
