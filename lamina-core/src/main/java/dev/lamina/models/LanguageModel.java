package dev.lamina.models;

import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.loss.Loss;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * A next-token model over a vocabulary of {@link #vocabSize()} ids: token ids {@code [B, T]} (integer-valued
 * floats) in, logits for the token after each position out. {@link #forward} flattens the logits to
 * {@code [B·T, V]} so that {@link #loss()} and the {@code Trainer} can use them directly with targets {@code [B, T]}.
 */
public abstract class LanguageModel extends Module {
    /** Number of token ids the model reads and predicts. */
    public abstract int vocabSize();

    /** Longest context the model attends to (the decoder keeps at most this many tokens); 0 means unbounded. */
    public abstract int contextLength();

    /**
     * @param ids [B, T] token ids
     * @return [B, T, V] logits; position t predicts token t + 1
     */
    public abstract Tensor logits(Tensor ids);

    /**
     * @param ids [B, T] token ids
     * @return [B·T, V] logits
     */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dim() != 2) throw shapeError("token ids [batch, time]", ids);
        return logits(ids).reshape(-1, vocabSize());
    }

    /** Cross-entropy of {@link #forward}'s [B·T, V] logits against next-token targets [B, T], averaged over B·T. */
    public static Loss loss() {
        CrossEntropyLoss ce = new CrossEntropyLoss();
        return (logits, targets) -> {
            if (targets.numel() != logits.size(0)) {
                throw new ShapeException("language-model loss: " + logits.size(0) + " rows of logits " + Shape.str(logits.shape()) + " but targets " + Shape.str(targets.shape()));
            }
            return ce.forward(logits, targets.reshape(-1));
        };
    }

    /**
     * A fresh incremental decoder for one sequence: it keeps whatever state the model needs (recurrent state,
     * attention keys and values) so that each new token costs one step, not a re-run of the whole context.
     */
    public abstract Decoder decoder();

    /** Feeds tokens one call at a time; the model is used without a tape and in evaluation mode by the caller. */
    public interface Decoder {
        /**
         * Appends {@code ids} (at least one) to the sequence.
         *
         * @return the logits [V] for the token after the last one fed
         */
        float[] feed(int[] ids);
    }
}
