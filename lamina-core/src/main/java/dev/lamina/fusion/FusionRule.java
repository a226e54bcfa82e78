package dev.lamina.fusion;

import java.util.List;

/**
 * One fusion: a chain of operations, each feeding only the next, that runs as one kernel.
 *
 * @param name          the rule's name, e.g. {@code conv_relu}; what {@link FusionRules#without} takes
 * @param chain         the kinds in order, at least two
 * @param exact         whether the fused kernel gives the same bits as the operations run one by one; a rule that
 *                      is not ({@code false}: BatchNorm folded into the weights, σ-family activations in the
 *                      convolution epilogue) only runs where rounding may change (the inference engine's
 *                      {@code FAST} optimization), never in {@code Sequential.forward}
 * @param inferenceOnly whether the rule needs inference semantics (batch norm with running statistics, no tape)
 * @param becomes       what runs instead, in words
 */
public record FusionRule(String name, List<OpKind> chain, boolean exact, boolean inferenceOnly, String becomes) {
    public FusionRule {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("fusion rule: a name is needed");
        chain = List.copyOf(chain);
        if (chain.size() < 2) throw new IllegalArgumentException("fusion rule " + name + ": a chain of at least two kinds is needed, got " + chain);
    }

    /** Whether the chain starts at {@code kinds[from]}. */
    public boolean matchesAt(List<OpKind> kinds, int from) {
        if (from + chain.size() > kinds.size()) return false;
        for (int k = 0; k < chain.size(); k++) if (kinds.get(from + k) != chain.get(k)) return false;
        return true;
    }

    /** For a two-step chain convolution → activation: the activation kind; otherwise null. */
    public OpKind convolutionEpilogue() {
        return chain.size() == 2 && chain.get(0) == OpKind.CONVOLUTION && chain.get(1).epilogue() != null ? chain.get(1) : null;
    }
}
