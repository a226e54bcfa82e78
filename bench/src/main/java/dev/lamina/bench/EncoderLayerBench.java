package dev.lamina.bench;

import dev.lamina.kernels.Parallel;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * Forward + backward of a stack of transformer encoder layers (issue 5's LM size: d_model 128, 4 heads, ff 512,
 * ReLU, post-norm, batch-first, causal, dropout 0) on [32, 64, 128], the workload of bench/encoder_layer.py
 * (run both with bench/attention.sh). Warms up, then times steps for a few seconds and prints the median and the
 * fastest step in ms.
 * Usage: EncoderLayerBench [LAYERS] [THREADS] [SECONDS]
 */
public final class EncoderLayerBench {
    public static void main(String[] args) {
        int layers = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        if (args.length > 1) Parallel.setThreads(Integer.parseInt(args[1]));
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
        Rng rng = new Rng(0);
        TransformerEncoder enc = new TransformerEncoder(() -> new TransformerEncoderLayer(128, 4, 512, 0.0, "relu", false, true, rng), layers);
        Tensor x = Tensor.randn(rng, 32, 64, 128).requiresGrad(true);
        Tensor g = Tensor.randn(rng, 32, 64, 128);
        Runnable step = () -> {
            enc.zeroGrad();
            x.zeroGrad();
            enc.forward(x, null, null, true).backward(g);
        };
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warmEnd; i++) step.run();
        double[] t = new double[10000];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (n < t.length && (n < 10 || System.nanoTime() < end)) {
            long t0 = System.nanoTime();
            step.run();
            t[n++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] s = Arrays.copyOf(t, n);
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "lamina layers=%d threads=%d median %.2f ms min %.2f ms (%d steps)%n", layers, Parallel.threads(), s[n / 2], s[0], n);
    }
}
