package dev.lamina.nn.functional;

import dev.lamina.JitCheck;
import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Flatten;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CNN kernels with Vector API bodies (SmallConv, the fused BatchNorm2d → ReLU → MaxPool2d, the flat im2col and
 * col2im) give the same bits in a JVM that only interprets ({@code -Xint}) as in this one once the JIT has compiled
 * them, as {@code kernels.JitIndependenceTest} checks for the sequence layers.
 */
class CnnJitIndependenceTest {
    /** Output and every gradient of a small two-block CNN in training mode, on fixed inputs. */
    static List<float[]> compute() {
        Rng rng = new Rng(21);
        Sequential net = new Sequential(new Conv2d(1, 8, 3, 1, true, rng).padding(1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Conv2d(8, 8, 3, 1, true, rng).padding(1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25, rng.split()));
        net.train();
        Tensor x = Tensor.randn(new Rng(4), 4, 1, 12, 12);
        Tensor y = net.forward(x);
        y.square().sum().backward();
        List<float[]> out = new ArrayList<>(List.of(y.toArray()));
        for (Tensor p : net.parameters()) out.add(p.grad().toArray());
        return out;
    }

    /** Child JVM entry point: writes {@link #compute()} into args[0]. */
    public static void main(String[] args) throws Exception {
        JitCheck.write(compute(), args[0]);
    }

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits(@TempDir Path dir) throws Exception {
        JitCheck.assertSameBitsAsInterpreted(CnnJitIndependenceTest.class, CnnJitIndependenceTest::compute, dir);
    }
}
