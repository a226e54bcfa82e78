package dev.lamina.bench;

import dev.lamina.kernels.Gemm;
import dev.lamina.kernels.Parallel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-precision GEMM throughput. Average time per call; {@link GemmReport} turns it into GFLOP/s
 * (2·m·n·k flops per call). Shape names give m x n x k.
 *
 * <ul>
 *   <li>{@code sqN}: N×N · N×N, row-major.</li>
 *   <li>A 784→256 linear layer with batch 64, weight stored [784, 256] (in × out):
 *       {@code fwd} X[64,784]·W; {@code dW} X^T·G = [784x64]·[64x256] with X read transposed through
 *       strides; {@code dX} G·W^T = [64x256]·[256x784] with W read transposed through strides.</li>
 *   <li>The same layer in PyTorch layout, weight [256, 784] (out × in), as {@code LinearOp} calls it:
 *       {@code linFwd} X·W^T (B transposed), {@code linDX} G·W (plain), {@code linDW} G^T·X (A
 *       transposed).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class GemmBenchmark {

    @Param({"1", "2"})
    public int threads;

    @Param({"sq64", "sq256", "sq1024", "fwd_64x256x784", "dW_784x256x64", "dX_64x784x256",
            "linFwd_64x256x784", "linDX_64x784x256", "linDW_256x784x64"})
    public String shape;

    int m, n, k;
    int ars, acs, brs, bcs;
    float[] a, b, c;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(42);
        switch (shape) {
            case "sq64" -> square(64);
            case "sq256" -> square(256);
            case "sq1024" -> square(1024);
            case "fwd_64x256x784" -> {
                // X[64,784] · W[784,256], both row-major.
                m = 64; n = 256; k = 784;
                ars = k; acs = 1; brs = n; bcs = 1;
            }
            case "dW_784x256x64" -> {
                // X^T · G: X stored [64,784] row-major, read as A[784,64] with strides (1, 784).
                m = 784; n = 256; k = 64;
                ars = 1; acs = m; brs = n; bcs = 1;
            }
            case "dX_64x784x256" -> {
                // G · W^T: W stored [784,256] row-major, read as B[256,784] with strides (1, 256).
                m = 64; n = 784; k = 256;
                ars = k; acs = 1; brs = 1; bcs = k;
            }
            case "linFwd_64x256x784" -> {
                // X · W^T: W stored [256,784] row-major, read as B[784,256] with strides (1, 784).
                m = 64; n = 256; k = 784;
                ars = k; acs = 1; brs = 1; bcs = k;
            }
            case "linDX_64x784x256" -> {
                // G[64,256] · W[256,784], both row-major.
                m = 64; n = 784; k = 256;
                ars = k; acs = 1; brs = n; bcs = 1;
            }
            case "linDW_256x784x64" -> {
                // G^T · X: G stored [64,256] row-major, read as A[256,64] with strides (1, 256).
                m = 256; n = 784; k = 64;
                ars = 1; acs = m; brs = n; bcs = 1;
            }
            default -> throw new IllegalArgumentException(shape);
        }
        a = random(r, m * k);
        b = random(r, k * n);
        c = new float[m * n];
    }

    private void square(int size) {
        m = n = k = size;
        ars = k; acs = 1; brs = n; bcs = 1;
    }

    private static float[] random(SplittableRandom r, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    @Benchmark
    public float[] gemm() {
        Gemm.gemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0, n, false);
        return c;
    }

    /** Multiply-adds per call times two. */
    public static double flops(String shape) {
        return switch (shape) {
            case "sq64" -> 2.0 * 64 * 64 * 64;
            case "sq256" -> 2.0 * 256 * 256 * 256;
            case "sq1024" -> 2.0 * 1024 * 1024 * 1024;
            default -> {
                String[] d = shape.substring(shape.indexOf('_') + 1).split("x");
                yield 2.0 * Integer.parseInt(d[0]) * Integer.parseInt(d[1]) * Integer.parseInt(d[2]);
            }
        };
    }
}
