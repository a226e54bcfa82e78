package dev.lamina.backend.cpu;

import dev.lamina.backend.LossOps;
import dev.lamina.kernels.Elementwise;
import dev.lamina.kernels.Parallel;
import dev.lamina.tensor.Tensor;

/**
 * Cross-entropy rows on the CPU: the log-softmax of each row from the one row kernel ({@link SoftmaxKernels}), rows
 * split across the worker threads (a language model's 2048 rows × 65 classes of exp).
 */
public interface CpuLossOps extends LossOps {
    /** Logits per parallel chunk below which rows stay on one thread (each costs an exp). */
    int ROW_GRAIN = 16 * 1024;

    @Override
    default CrossEntropySaved crossEntropyIndex(Tensor logits, int[] t, CrossEntropyRows o) {
        int n = logits.size(0), c = logits.size(1);
        float[] logp = logSoftmaxRows(logits, n, c);
        float[] loss = new float[n];
        double eps = o.smoothing(), scale = o.scale();
        for (int i = 0; i < n; i++) {
            if (t[i] < 0) continue;
            double sumLogp = 0;
            for (int j = 0; j < c; j++) sumLogp += logp[i * c + j];
            double l = -(1 - eps) * logp[i * c + t[i]] - eps * sumLogp / c;
            loss[i] = (float) (l * scale);
        }
        return new CrossEntropySaved(wrap(loss, n), wrap(logp, n, c));
    }

    @Override
    default Tensor crossEntropyIndexBackward(CrossEntropySaved saved, int[] t, CrossEntropyRows o, Tensor g) {
        int n = saved.logProbs().size(0), c = saved.logProbs().size(1);
        float[] logp = saved.logProbs().storage(), gv = g.toArray();
        float[] gx = new float[n * c];
        double eps = o.smoothing(), scale = o.scale();
        Parallel.forRange(n, Math.max(1, ROW_GRAIN / c), (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                if (t[i] < 0) continue;
                float gi = (float) (gv[i] * scale);
                int target = t[i];
                for (int j = 0; j < c; j++) {
                    double q = eps / c + (j == target ? 1 - eps : 0);
                    gx[i * c + j] = (float) ((Math.exp(logp[i * c + j]) - q) * gi);
                }
            }
        });
        return wrap(gx, n, c);
    }

    @Override
    default CrossEntropySaved crossEntropyProbabilities(Tensor logits, Tensor probabilities, CrossEntropyRows o) {
        int n = logits.size(0), c = logits.size(1);
        float[] p = probabilities.toArray();
        double eps = o.smoothing(), scale = o.scale();
        float[] logp = logSoftmaxRows(logits, n, c);
        float[] loss = new float[n];
        for (int i = 0; i < n; i++) {
            double l = 0;
            for (int j = 0; j < c; j++) l -= ((1 - eps) * p[i * c + j] + eps / c) * logp[i * c + j];
            loss[i] = (float) (l * scale);
        }
        return new CrossEntropySaved(wrap(loss, n), wrap(logp, n, c));
    }

    @Override
    default Tensor crossEntropyProbabilitiesBackward(CrossEntropySaved saved, Tensor probabilities, CrossEntropyRows o, Tensor g) {
        int n = saved.logProbs().size(0), c = saved.logProbs().size(1);
        float[] logp = saved.logProbs().storage(), p = probabilities.toArray(), gv = g.toArray();
        float[] gx = new float[n * c];
        double eps = o.smoothing(), scale = o.scale();
        for (int i = 0; i < n; i++) {
            double gi = gv[i] * scale;
            double qSum = 0;
            for (int j = 0; j < c; j++) qSum += (1 - eps) * p[i * c + j] + eps / c;
            for (int j = 0; j < c; j++) {
                double q = (1 - eps) * p[i * c + j] + eps / c;
                gx[i * c + j] = (float) ((Math.exp(logp[i * c + j]) * qSum - q) * gi);
            }
        }
        return wrap(gx, n, c);
    }

    @Override
    default BinaryCrossEntropy binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor posWeight) {
        int[] shape = logits.shape();
        float[] x = logits.toArray(), y = target.toArray(), w = posWeight == null ? null : posWeight.toArray();
        float[] loss = new float[x.length];
        float[] dldx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double xi = x[i], yi = y[i];
            double l = w == null ? 1 : 1 + (w[i] - 1) * yi;
            loss[i] = (float) ((1 - yi) * xi + l * Elementwise.softplus(-xi));
            dldx[i] = (float) ((1 - yi) - l * (1 - Elementwise.sigmoid((float) xi)));
        }
        return new BinaryCrossEntropy(wrap(loss, shape), wrap(dldx, shape));
    }

    /** Row-wise log-softmax of [n, c] logits into a new array through the one row kernel ({@link SoftmaxKernels#softmaxRow}). */
    private static float[] logSoftmaxRows(Tensor logits, int n, int c) {
        float[] x = logits.toArray();
        float[] out = new float[n * c];
        Parallel.forRange(n, Math.max(1, ROW_GRAIN / c), (r0, r1) -> {
            for (int i = r0; i < r1; i++) SoftmaxKernels.softmaxRow(x, i * c, out, i * c, c, true);
        });
        return out;
    }
}
