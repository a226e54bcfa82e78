package dev.lamina.loss;

import dev.lamina.tensor.Tensor;

/**
 * Kullback–Leibler divergence as PyTorch's {@code F.kl_div}: the input holds log-probabilities, the target
 * probabilities (or log-probabilities with {@code logTarget}); pointwise t·(log t − input), with 0 where t = 0.
 * {@code batchMean} divides the sum by the batch size, the mathematically correct KL per sample.
 */
public final class KLDivLoss implements Loss {
    private final Reduction reduction;
    private final boolean batchMean;
    private final boolean logTarget;

    /** The recommended form: reduction 'batchmean', probability targets. */
    public KLDivLoss() {
        this(null, true, false);
    }

    /**
     * @param reduction NONE, MEAN or SUM; ignored (may be null) when {@code batchMean}
     * @param batchMean sum divided by input.size(0)
     */
    public KLDivLoss(Reduction reduction, boolean batchMean, boolean logTarget) {
        this.reduction = reduction;
        this.batchMean = batchMean;
        this.logTarget = logTarget;
    }

    /** input (log-probabilities) and target of the same shape → 0-d, or that shape for NONE. */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        Loss.requireSameShape("kl_div", input, target);
        Loss.requireFinite("kl_div", "input", input);
        // the target's terms, p·log p (0 where p = 0), need no gradient: tensor ops on the target's backend
        Tensor t = target.detach(), zero = Tensor.zerosLike(t);
        Tensor p = logTarget ? t.exp() : t;
        Tensor logP = logTarget ? t : Tensor.where(t.gt(0f), t.log(), zero);
        Tensor entropyTerm = Tensor.where(p.gt(0f), p.mul(logP), zero);
        Tensor pointwise = entropyTerm.sub(input.mul(p));
        if (batchMean) return pointwise.sum().div(input.dim() == 0 ? 1 : input.size(0));
        return reduction.apply(pointwise);
    }

    /** The type and settings with PyTorch's names. */
    @Override
    public String toString() {
        return "KLDivLoss(reduction=" + (batchMean ? "batchmean" : Reduction.name(reduction)) + ", log_target=" + logTarget + ")";
    }
}
