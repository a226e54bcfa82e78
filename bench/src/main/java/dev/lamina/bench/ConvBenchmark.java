package dev.lamina.bench;

import dev.lamina.autograd.Autograd;
import dev.lamina.kernels.Parallel;
import dev.lamina.nn.Conv2d;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
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

import java.util.concurrent.TimeUnit;

/**
 * The two convolutions of the {@code cnn} model at its training shapes (batch 64): {@code conv1} 1→32 channels
 * on 28×28, {@code conv2} 32→64 on 14×14, 3×3 kernels, padding 1. {@code forward} runs without a tape;
 * {@code train} runs forward and backward (input, weight and bias gradients).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms2g", "-Xmx2g"})
public class ConvBenchmark {
    @Param({"1", "2"})
    public int threads;

    @Param({"conv1", "conv2"})
    public String layer;

    Conv2d conv;
    Tensor x;
    Tensor gradOut;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        Rng rng = new Rng(1);
        boolean first = layer.equals("conv1");
        int cin = first ? 1 : 32, cout = first ? 32 : 64, side = first ? 28 : 14;
        conv = new Conv2d(cin, cout, 3, 1, true, rng).padding(1);
        x = Tensor.randn(rng, 64, cin, side, side).requiresGrad(true);
        gradOut = Tensor.randn(rng, 64, cout, side, side);
    }

    @Benchmark
    public Tensor forward() {
        try (var s = Autograd.noGrad()) {
            return conv.forward(x);
        }
    }

    @Benchmark
    public Tensor train() {
        conv.zeroGrad();
        x.zeroGrad();
        conv.forward(x).backward(gradOut);
        return x.grad();
    }
}
