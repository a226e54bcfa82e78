package dev.lamina.cli;

import dev.lamina.io.DirectoryLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a checkpointed {@code lamina train} run holds while it runs: the exclusive lock on its checkpoint directory
 * (a second run on the same directory is refused, naming this one), and a shutdown hook that, when the process is
 * interrupted (Ctrl-C, a kill), says how to continue. Closing it at the end of the run releases both.
 */
final class RunGuard implements AutoCloseable {
    private final DirectoryLock lock;
    private final Thread hint;

    private RunGuard(DirectoryLock lock, Thread hint) {
        this.lock = lock;
        this.hint = hint;
    }

    /** The message printed when a run checkpointing into {@code dir} is interrupted. */
    static String interruptedMessage(Path dir) {
        return "lamina: interrupted; the last checkpoint in " + dir + " is complete. Resume with: lamina train --resume " + dir;
    }

    /**
     * Locks {@code checkpointDir} (nothing when it is null, or does not exist yet: a --resume of a missing directory
     * fails when it is read) and installs the interruption hint; {@code args} is the command line after {@code lamina}.
     *
     * @throws IOException when another run holds the directory, naming it
     */
    static RunGuard start(Path checkpointDir, List<String> args) throws IOException {
        if (checkpointDir == null || !Files.isDirectory(checkpointDir)) return new RunGuard(null, null);
        DirectoryLock lock = DirectoryLock.acquire(checkpointDir, "lamina " + String.join(" ", args));
        String message = interruptedMessage(checkpointDir);
        Thread hint = new Thread(() -> System.err.println(message), "lamina-interrupted-hint");
        Runtime.getRuntime().addShutdownHook(hint);
        return new RunGuard(lock, hint);
    }

    @Override
    public void close() throws IOException {
        if (hint != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hint);
            } catch (IllegalStateException shuttingDown) {
                // the hook is already running: the process is being interrupted
            }
        }
        if (lock != null) lock.close();
    }
}
