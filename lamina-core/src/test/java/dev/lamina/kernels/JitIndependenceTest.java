package dev.lamina.kernels;

import dev.lamina.JitCheck;
import dev.lamina.nn.GRU;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layers with Vector API transcendental kernels (attention softmax, LSTM/GRU gates, GELU) give the same bits in a JVM
 * that only interprets ({@code -Xint}) as in this one after the JIT has compiled them: training results cannot depend
 * on how warm the JIT is, which exact resume after a crash relies on.
 */
class JitIndependenceTest {
    /** Outputs and every gradient of the three layers on fixed inputs, flattened in a fixed order. */
    static List<float[]> compute() {
        List<float[]> out = new ArrayList<>();
        Rng rng = new Rng(17);
        MultiheadAttention mha = new MultiheadAttention(24, 3, 0.0, true, true, rng);
        LSTM lstm = new LSTM(24, 40, 1, true, true, rng).batchFirst(true);
        GRU gru = new GRU(24, 40, 1, true, false, rng).batchFirst(true);
        Tensor x = Tensor.randn(new Rng(3), 2, 21, 24).requiresGrad(true);
        Tensor a = mha.forward(x);
        Tensor l = lstm.forward(x);
        Tensor g = gru.forward(x);
        Tensor e = x.mul(3f).gelu();
        a.square().sum().add(l.mul(l).sum()).add(g.sum()).add(e.square().sum()).backward();
        for (Tensor t : new Tensor[] {a, l, g, e, x.grad()}) out.add(t.toArray());
        for (Module m : new Module[] {mha, lstm, gru}) for (Tensor p : m.parameters()) out.add(p.grad().toArray());
        return out;
    }

    /** Child JVM entry point: writes {@link #compute()} into args[0]. */
    public static void main(String[] args) throws Exception {
        JitCheck.write(compute(), args[0]);
    }

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits(@TempDir Path dir) throws Exception {
        JitCheck.assertSameBitsAsInterpreted(JitIndependenceTest.class, JitIndependenceTest::compute, dir);
    }
}
