package dev.lamina.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} logs one warning that names the flag and the cost,
 * however many kernels it runs; with the flag, or with the vector kernels turned off on purpose, it logs none.
 */
class VectorWarningTest {
    private static String runChild(String... jvmFlags) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("probe done vector=" + (List.of(jvmFlags).contains("jdk.incubator.vector") && !List.of(jvmFlags).contains("-Dlamina.vector=false"))), out);
        return out;
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }

    @Test
    void withoutTheModuleOneWarningNamesTheFlagAndTheSlowdown() throws Exception {
        String out = runChild();
        assertEquals(1, count(out, CpuFeatures.MISSING_MODULE_WARNING), out);
        assertTrue(out.contains("about 6x slower") && out.contains("--add-modules jdk.incubator.vector"), out);
    }

    @Test
    void withTheModuleOrWithVectorsTurnedOffOnPurposeThereIsNoWarning() throws Exception {
        assertFalse(runChild("--add-modules", "jdk.incubator.vector").contains("6x slower"));
        assertFalse(runChild("-Dlamina.vector=false").contains("6x slower"));
    }

    /** Runs a matrix product and a reduction (two kernels that each read the decision), then reports it. */
    public static final class Probe {
        public static void main(String[] args) {
            float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8}, c = new float[4];
            Gemm.gemm(2, 2, 2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, false);
            double s = Reductions.sum(new float[100], 0, 100);
            if (c[0] != 19 || s != 0) throw new AssertionError("wrong product " + c[0]);
            System.out.println("probe done vector=" + CpuFeatures.VECTOR);
        }
    }
}
