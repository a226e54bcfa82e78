package dev.lamina.explain;

/**
 * A problem the explainer found, with what it measured and what to change.
 *
 * @param kind      which problem
 * @param layer     the layer it is in, by {@link LayerCard#name()} ("the model" when it is the whole model's)
 * @param threshold the rule that fired, e.g. "more than 50% of units never positive"
 * @param evidence  what was measured
 * @param remedy    what to change, in terms of layers
 */
public record Diagnosis(Kind kind, String layer, String threshold, String evidence, String remedy) {

    /** The problems the explainer knows. */
    public enum Kind {
        DEAD_RELU("dead ReLUs"),
        VANISHING_GRADIENT("vanishing gradients"),
        EXPLODING_GRADIENT("exploding gradients"),
        NON_FINITE("NaN or infinite values"),
        SATURATED_ACTIVATION("saturated sigmoid/tanh"),
        SATURATED_GATES("saturated LSTM/GRU gates"),
        OVERFITTING("over-fitting"),
        BATCHNORM_DRIFT("BatchNorm running statistics drift"),
        ATTENTION_COLLAPSED("collapsed attention head"),
        ATTENTION_UNIFORM("uniform attention head"),
        ATTENTION_IDENTICAL("identical attention heads"),
        LEARNING_RATE_HIGH("learning rate too high"),
        LEARNING_RATE_LOW("learning rate too low"),
        UNNORMALIZED_INPUT("unnormalised inputs");

        private final String title;

        Kind(String title) {
            this.title = title;
        }

        /** A short title for reports. */
        public String title() {
            return title;
        }
    }

    @Override
    public String toString() {
        return kind.title() + " at " + layer + ": " + evidence + " (" + threshold + "). Remedy: " + remedy;
    }
}
