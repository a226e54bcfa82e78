package dev.lamina.bench;

import dev.lamina.kernels.Parallel;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.models.ImageClassifier;
import dev.lamina.models.Zoo;
import dev.lamina.optim.Adam;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * One training step (forward, cross-entropy, backward, optimizer step) of a zoo model at batch 32 on random
 * 32×32 images, the workload of bench/zoo_step.py (run both with bench/zoo_train.sh): ResNet-18 with the small-input
 * stem (3×3 stride-1 first conv, no max-pool) and SGD (momentum 0.9), MobileNetV2 with a stride-1 first conv and
 * SGD, the ViT of {@link Zoo} (patch 4, width 192, 6 layers, 3 heads) and Adam; 10 classes. Prints the median step
 * time after 5 warm-up steps.
 * Usage: ZooStepBench resnet18|mobilenet_v2|vit [STEPS] [THREADS] [CHANNELS]
 */
public final class ZooStepBench {
    static final int B = 32, SIZE = 32, CLASSES = 10, WARMUP = 5;

    public static void main(String[] args) {
        String name = args[0];
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        if (args.length > 2) Parallel.setThreads(Integer.parseInt(args[2]));
        int channels = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Rng rng = new Rng(0);
        ImageClassifier model = Zoo.create(name, CLASSES, channels, SIZE, true, 1.0, rng);
        Optimizer opt = name.equals("vit") ? new Adam(model.parameters(), 1e-3) : new SGD(model.parameters(), 0.01).momentum(0.9);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Rng data = new Rng(1);
        model.train();
        double[] times = new double[steps];
        float last = 0;
        for (int i = 0; i < steps + WARMUP; i++) {
            Tensor x = Tensor.randn(data, B, channels, SIZE, SIZE);
            float[] y = new float[B];
            for (int b = 0; b < B; b++) y[b] = data.nextInt(CLASSES);
            long t0 = System.nanoTime();
            opt.zeroGrad();
            Tensor l = loss.forward(model.forward(x), Tensor.of(y, B));
            l.backward();
            opt.step();
            last = l.item();
            if (i >= WARMUP) times[i - WARMUP] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(times);
        System.out.printf(Locale.ROOT, "lamina %s step: median %.2f ms, loss %.3f, threads %d, %d parameters%n", name, times[steps / 2], last, Parallel.threads(), model.parameterCount());
    }
}
