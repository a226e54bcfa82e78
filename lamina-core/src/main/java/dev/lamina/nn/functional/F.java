package dev.lamina.nn.functional;

import dev.lamina.loss.BCEWithLogitsLoss;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.HuberLoss;
import dev.lamina.loss.KLDivLoss;
import dev.lamina.loss.L1Loss;
import dev.lamina.loss.MSELoss;
import dev.lamina.loss.NLLLoss;
import dev.lamina.loss.Reduction;
import dev.lamina.tensor.Tensor;

/**
 * The functional API in one place, as PyTorch's {@code torch.nn.functional}: every layer's computation as a static
 * function of tensors, with the layers' parameter conventions (PyTorch's names and layouts). Each call goes to the op
 * file that owns it ({@link ConvOp}, {@link PoolOps}, {@link NormOp}, {@link AttentionOp}, ...), which checks the
 * shapes, records the gradient and runs on the tensors' backend; this class adds nothing but the names.
 *
 * <pre>{@code
 * Tensor h = F.relu(F.conv2d(x, w, b, 1, 1));          // [N, C, H, W] → [N, OC, H, W]
 * Tensor y = F.linear(F.flatten(F.maxPool2d(h, 2)), fcW, fcB);
 * Tensor loss = F.crossEntropy(y, labels);
 * }</pre>
 */
public final class F {
    private F() {}

    // ------------------------------------------------------------------------------------------------ dense

    /** x · weightᵀ + bias: x [*, in], weight [out, in], bias [out] or null → [*, out]. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return LinearOp.linear(x, weight, bias);
    }

    /** Rows of {@code weight} [num, dim] picked by {@code ids} (any shape, whole numbers) → [*ids, dim]. */
    public static Tensor embedding(Tensor ids, Tensor weight) {
        return EmbeddingOp.embedding("embedding", ids, weight, -1);
    }

    // ------------------------------------------------------------------------------------------------ convolution

    /** 2-D convolution with square stride and symmetric padding: x [N, C, H, W], weight [OC, C, KH, KW] → [N, OC, OH, OW]. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return ConvOp.conv2d(x, weight, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, 1);
    }

    /** 2-D convolution with every option: stride {sh, sw}, padding {ph, pw}, dilation {dh, dw}, groups. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return ConvOp.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** 1-D convolution: x [N, C, L], weight [OC, C/groups, K] → [N, OC, OL]. */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return ConvOp.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** Transposed 2-D convolution: x [N, C, H, W], weight [C, OC/groups, KH, KW] → [N, OC, OH, OW]. */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {
        return ConvTranspose2dOp.convTranspose2d(x, weight, bias, stride, padding, outputPadding, dilation, groups);
    }

    // ------------------------------------------------------------------------------------------------ pooling

    /** Max pooling with a square window, stride = window, no padding: [N, C, H, W] → [N, C, H/k, W/k]. */
    public static Tensor maxPool2d(Tensor x, int kernel) {
        return PoolOps.maxPool2d(x, kernel, kernel, 0);
    }

    /** Max pooling: [N, C, H, W] → [N, C, OH, OW]. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return PoolOps.maxPool2d(x, kernel, stride, padding);
    }

    /** Average pooling (padding counted in the average, as PyTorch's default): [N, C, H, W] → [N, C, OH, OW]. */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return PoolOps.avgPool2d(x, kernel, stride, padding);
    }

    /** Adaptive average pooling to [N, C, oh, ow]. */
    public static Tensor adaptiveAvgPool2d(Tensor x, int oh, int ow) {
        return PoolOps.adaptiveAvgPool2d(x, oh, ow);
    }

    /** Mean over every spatial position: [N, C, *] → [N, C] (or [N, C, 1, ...] with keepDim). */
    public static Tensor globalAvgPool(Tensor x, boolean keepDim) {
        return PoolOps.globalAvgPool(x, keepDim);
    }

    // ------------------------------------------------------------------------------------------------ normalization

    /**
     * Batch normalization over [N, C, *]: batch statistics in training (updating the running buffers in place when
     * given), the running ones otherwise.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
        return BatchNormOp.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** Layer normalization over the trailing {@code normalizedShape} dimensions; weight and bias of that shape or null. */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return NormOp.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /** RMS normalization over the trailing {@code normalizedShape} dimensions. */
    public static Tensor rmsNorm(Tensor x, int[] normalizedShape, Tensor weight, double eps) {
        return NormOp.rmsNorm(x, normalizedShape, weight, eps);
    }

    /** Group normalization of [N, C, *] in {@code numGroups} groups; weight and bias [C] or null. */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return NormOp.groupNorm(x, numGroups, weight, bias, eps);
    }

    /** Instance normalization of [N, C, *]; weight and bias [C] or null. */
    public static Tensor instanceNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return NormOp.instanceNorm(x, weight, bias, eps);
    }

    // ------------------------------------------------------------------------------------------------ activations

    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** Exact GELU, x·Φ(x); {@code tanh} selects PyTorch's approximate='tanh'. */
    public static Tensor gelu(Tensor x, boolean tanh) {
        return tanh ? x.geluTanh() : x.gelu();
    }

    public static Tensor silu(Tensor x) {
        return x.silu();
    }

    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    public static Tensor leakyRelu(Tensor x, float negativeSlope) {
        return x.leakyRelu(negativeSlope);
    }

    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** [N, ...] → [N, product of the rest]. */
    public static Tensor flatten(Tensor x) {
        return x.flatten(1, -1);
    }

    // ------------------------------------------------------------------------------------------------ attention

    /**
     * Scaled dot-product attention: q [B, H, Lq, d], k [B, H, Lk, d], v [B, H, Lk, dv] → [B, H, Lq, dv]; masks
     * broadcastable to [B, H, Lq, Lk] (or [B, Lk] for padding) or null. Inference-style: no dropout, no weights.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, AttentionMask attnMask, AttentionMask keyPaddingMask, boolean causal) {
        return AttentionOp.scaledDotProductAttention(q, k, v, attnMask, keyPaddingMask, causal, 0, false).output();
    }

    // ------------------------------------------------------------------------------------------------ losses

    /** Mean cross-entropy of logits [N, C] (or [N, C, *]) against class indices [N] (or [N, *]) or probabilities. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return new CrossEntropyLoss().forward(logits, target);
    }

    /** Cross-entropy with label smoothing ε. */
    public static Tensor crossEntropy(Tensor logits, Tensor target, double labelSmoothing) {
        return new CrossEntropyLoss(Reduction.MEAN, labelSmoothing, -100).forward(logits, target);
    }

    /** Mean negative log-likelihood of log-probabilities [N, C] against class indices [N]. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target) {
        return new NLLLoss().forward(logProbs, target);
    }

    public static Tensor mseLoss(Tensor input, Tensor target) {
        return new MSELoss().forward(input, target);
    }

    public static Tensor l1Loss(Tensor input, Tensor target) {
        return new L1Loss().forward(input, target);
    }

    public static Tensor huberLoss(Tensor input, Tensor target, double delta) {
        return new HuberLoss(Reduction.MEAN, delta).forward(input, target);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return new BCEWithLogitsLoss().forward(logits, target);
    }

    /** KL divergence with log-probability input, probability target, averaged over the batch (PyTorch's batchmean). */
    public static Tensor klDiv(Tensor logProbs, Tensor target) {
        return new KLDivLoss().forward(logProbs, target);
    }
}
