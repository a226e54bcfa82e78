package dev.lamina.models;

import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Rng;

/**
 * An image model of the zoo: images [N, C, H, W] → logits [N, classes], with a last linear layer (the head) that
 * transfer learning replaces.
 */
public abstract class ImageClassifier extends Module {
    /** Dotted path of the head in the state dict ({@code fc}, {@code classifier.1}, {@code heads.head}). */
    public abstract String headPath();

    /** The head: the last linear layer. */
    public Linear head() {
        Module m = this;
        for (String part : headPath().split("\\.")) m = m.children().get(part);
        return (Linear) m;
    }

    /**
     * Replaces the head by a fresh linear layer with {@code numClasses} outputs (PyTorch's initialisation from
     * {@code rng}) and returns it; the rest of the model is unchanged.
     */
    public Linear replaceHead(int numClasses, Rng rng) {
        Linear fresh = new Linear(head().inFeatures(), numClasses, true, rng);
        replaceModule(headPath(), fresh);
        return fresh;
    }
}
