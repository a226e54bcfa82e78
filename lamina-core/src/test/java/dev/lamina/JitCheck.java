package dev.lamina;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.io.Npy;
import dev.lamina.kernels.Parallel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Compares a computation run by an interpreter-only JVM ({@code -Xint}) with the same computation here after the JIT
 * has compiled it, bit for bit: kernels must not give results that depend on how warm the JIT is.
 */
public final class JitCheck {
    private JitCheck() {}

    /** What a child's {@code main(String[] {dir})} calls: writes the results as dir/0.npy, dir/1.npy, ... */
    public static void write(List<float[]> results, String dir) throws IOException {
        for (int i = 0; i < results.size(); i++) Npy.write(Path.of(dir, i + ".npy"), new int[] {results.get(i).length}, results.get(i));
    }

    /**
     * Starts {@code childMain} (whose main writes {@code compute}'s results with {@link #write}) in an {@code -Xint}
     * JVM, meanwhile runs {@code compute} here long enough for C2 to compile it, and compares every bit.
     */
    public static void assertSameBitsAsInterpreted(Class<?> childMain, Supplier<List<float[]>> compute, Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xint", "-Dlamina.threads=" + Parallel.threads(),
                "-Dlamina.backend=" + dev.lamina.backend.Backends.current().name(),
                "-cp", System.getProperty("java.class.path"), childMain.getName(), dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        List<float[]> compiled = null;
        for (int i = 0; i < 300; i++) compiled = compute.get();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the interpreted child did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("child.log")));
        for (int i = 0; i < compiled.size(); i++) {
            float[] want = Npy.read(dir.resolve(i + ".npy")).data(), got = compiled.get(i);
            for (int j = 0; j < got.length; j++) {
                if (Float.floatToRawIntBits(want[j]) != Float.floatToRawIntBits(got[j])) {
                    throw new AssertionError("result " + i + ", element " + j + ": interpreted " + want[j] + ", compiled " + got[j]);
                }
            }
        }
    }
}
