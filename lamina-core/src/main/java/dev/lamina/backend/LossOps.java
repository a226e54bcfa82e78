package dev.lamina.backend;

import dev.lamina.autograd.Autograd;
import dev.lamina.tensor.Tensor;

/**
 * Losses from logits: softmax cross-entropy rows (logits [n, c] against class indices or class probabilities, with
 * label smoothing) and their gradients, and element-wise binary cross-entropy. The defaults compose log-softmax,
 * gather and its reverse, and element-wise primitives.
 */
public interface LossOps extends TensorOps {
    /**
     * @param smoothing label smoothing ε in [0, 1]: the target is (1 − ε)·target + ε/c
     * @param scale every row's loss and gradient is multiplied by it (1/count for a mean, 1 otherwise)
     */
    record CrossEntropyRows(double smoothing, double scale) {}

    /**
     * Per-row losses and what the backward needs.
     *
     * @param loss [n]
     * @param logProbs [n, c], the log-softmax of the logits
     */
    record CrossEntropySaved(Tensor loss, Tensor logProbs) {}

    /**
     * Rows against class indices: loss_i = scale · (−(1 − ε)·logp[i, t_i] − ε·mean_j logp[i, j]), and 0 where
     * {@code target[i]} is −1 (an ignored row).
     *
     * @param logits [n, c], finite
     * @param target [n] class indices in [0, c), or −1
     */
    default CrossEntropySaved crossEntropyIndex(Tensor logits, int[] target, CrossEntropyRows o) {
        try (var s = Autograd.noGrad()) {
            int n = logits.size(0), c = logits.size(1);
            Tensor logp = softmax(logits, 1, true);
            Tensor picked = gather(logp, 1, safe(target), new int[] {n, 1});
            Tensor mean = sumAxis(logp, 1).div((float) c);
            Tensor l = picked.mul((float) -(1 - o.smoothing())).sub(mean.mul((float) o.smoothing()));
            Tensor loss = l.mul((float) o.scale()).mul(kept(target)).reshape(n);
            return new CrossEntropySaved(loss, logp);
        }
    }

    /** dlogits [n, c] = (softmax − q) · g_i · scale, q = ε/c + (1 − ε)·onehot(t_i); 0 on ignored rows. g is [n]. */
    default Tensor crossEntropyIndexBackward(CrossEntropySaved saved, int[] target, CrossEntropyRows o, Tensor g) {
        try (var s = Autograd.noGrad()) {
            int n = saved.logProbs().size(0), c = saved.logProbs().size(1);
            Tensor onehot = gatherBackward(wrap(ones(n), n, 1), 1, safe(target), new int[] {n, c});
            Tensor q = onehot.mul((float) (1 - o.smoothing())).add((float) (o.smoothing() / c));
            Tensor rowScale = g.reshape(n, 1).mul((float) o.scale()).mul(kept(target));
            return saved.logProbs().exp().sub(q).mul(rowScale);
        }
    }

    /**
     * Rows against probabilities: loss_i = −scale · Σ_j ((1 − ε)·p[i, j] + ε/c)·logp[i, j].
     *
     * @param logits [n, c], finite
     * @param probabilities [n, c], finite
     */
    default CrossEntropySaved crossEntropyProbabilities(Tensor logits, Tensor probabilities, CrossEntropyRows o) {
        try (var s = Autograd.noGrad()) {
            int n = logits.size(0), c = logits.size(1);
            Tensor logp = softmax(logits, 1, true);
            Tensor q = probabilities.mul((float) (1 - o.smoothing())).add((float) (o.smoothing() / c));
            Tensor loss = sumAxis(q.mul(logp), 1).mul((float) -o.scale()).reshape(n);
            return new CrossEntropySaved(loss, logp);
        }
    }

    /** dlogits [n, c] = (softmax · Σ_j q_ij − q) · g_i · scale. */
    default Tensor crossEntropyProbabilitiesBackward(CrossEntropySaved saved, Tensor probabilities, CrossEntropyRows o, Tensor g) {
        try (var s = Autograd.noGrad()) {
            int n = saved.logProbs().size(0), c = saved.logProbs().size(1);
            Tensor q = probabilities.mul((float) (1 - o.smoothing())).add((float) (o.smoothing() / c));
            Tensor qSum = sumAxis(q, 1);
            return saved.logProbs().exp().mul(qSum).sub(q).mul(g.reshape(n, 1).mul((float) o.scale()));
        }
    }

    /**
     * Binary cross-entropy with logits, element-wise: loss = (1 − y)·x + l·softplus(−x) and its derivative
     * dloss/dx = (1 − y) − l·(1 − σ(x)), with l = 1 + (w − 1)·y.
     *
     * @param logits any shape, finite
     * @param target the logits' shape, values in [0, 1]
     * @param posWeight the weight w of positive examples, already broadcast to the logits' shape, or null (w = 1)
     * @return the element-wise losses and derivatives, both the logits' shape
     */
    default BinaryCrossEntropy binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor posWeight) {
        try (var s = Autograd.noGrad()) {
            Tensor x = logits, y = target;
            Tensor l = posWeight == null ? null : posWeight.sub(1f).mul(y).add(1f);
            Tensor softplusNeg = x.neg().relu().add(x.abs().neg().exp().add(1f).log()); // log(1 + e^−x), stable
            Tensor oneMinusY = y.rsub(1f);
            Tensor loss = oneMinusY.mul(x).add(l == null ? softplusNeg : l.mul(softplusNeg));
            Tensor notSig = x.sigmoid().rsub(1f);
            Tensor dldx = oneMinusY.sub(l == null ? notSig : l.mul(notSig));
            return new BinaryCrossEntropy(loss, dldx);
        }
    }

    /** Element-wise losses and their derivatives with respect to the logits. */
    record BinaryCrossEntropy(Tensor loss, Tensor dlossDlogits) {}

    private static int[] safe(int[] target) {
        int[] t = target.clone();
        for (int i = 0; i < t.length; i++) if (t[i] < 0) t[i] = 0;
        return t;
    }

    private Tensor kept(int[] target) {
        float[] k = new float[target.length];
        for (int i = 0; i < k.length; i++) k[i] = target[i] < 0 ? 0f : 1f;
        return wrap(k, target.length, 1);
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }
}
