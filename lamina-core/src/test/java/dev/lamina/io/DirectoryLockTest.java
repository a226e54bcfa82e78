package dev.lamina.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@link DirectoryLock}: one holder at a time, within a JVM and across processes; the refusal names the holder. */
class DirectoryLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondLockInTheSameProcessIsRefusedNamingTheHolderAndIsFreeAfterClose() throws IOException {
        try (DirectoryLock first = DirectoryLock.acquire(dir, "first run")) {
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(dir, "second run"));
            assertTrue(e.getMessage().startsWith(dir + " is in use by another run (held by pid " + ProcessHandle.current().pid() + ", started "), e.getMessage());
            assertTrue(e.getMessage().contains("first run"), e.getMessage());
            assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("first run"), "the lock file still describes the holder");
        }
        try (DirectoryLock again = DirectoryLock.acquire(dir, "third run")) {
            assertTrue(Files.readString(dir.resolve(DirectoryLock.FILE)).contains("third run"));
        }
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedNamingItsPidAndIsFreeOnceItExits() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process holder = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine(), "the child JVM took the lock");
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(dir, "second run"));
            assertTrue(e.getMessage().contains("held by pid " + holder.pid() + ", started ") && e.getMessage().contains("the holder process"), e.getMessage());
        } finally {
            holder.getOutputStream().close();   // the child exits when its standard input ends
            assertTrue(holder.waitFor(20, TimeUnit.SECONDS));
        }
        try (DirectoryLock mine = DirectoryLock.acquire(dir, "after the holder exited")) {
            assertEquals(dir, mine.directory());
        }
    }

    /** The other process: locks the directory, says so, and holds the lock until its standard input closes. */
    public static final class Holder {
        public static void main(String[] args) throws IOException {
            try (DirectoryLock lock = DirectoryLock.acquire(Path.of(args[0]), "the holder process")) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // wait
                }
            }
        }
    }
}
