package dev.lamina.fusion;

import static dev.lamina.fusion.OpKind.BATCH_NORM;
import static dev.lamina.fusion.OpKind.CLIP;
import static dev.lamina.fusion.OpKind.CONVOLUTION;
import static dev.lamina.fusion.OpKind.HARDSWISH;
import static dev.lamina.fusion.OpKind.MAX_POOL;
import static dev.lamina.fusion.OpKind.RELU;
import static dev.lamina.fusion.OpKind.RESIDUAL_ADD;
import static dev.lamina.fusion.OpKind.SIGMOID;
import static dev.lamina.fusion.OpKind.SILU;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one table of fusion rules, read by both places that fuse: {@code Sequential.forward} (its layer list, exact
 * rules only) and the ONNX importer's rewrites ({@code dev.lamina.onnx.ConvFusion}; Lamina modules compiled with
 * {@code Inference.compile} go through it too). A rule withdrawn from the table ({@link #without}, in scope with
 * {@link #use}) stops both from fusing that chain. The importer reads the table current when a model is loaded.
 *
 * <p>The default table, in the order rules are tried at each position:
 * <ul>
 *   <li>{@code batch_norm_relu_max_pool}: BatchNorm → ReLU → MaxPool(2×2, stride 2) as one pass (training too; the
 *       same bits forward);</li>
 *   <li>{@code conv_batch_norm}: an inference BatchNorm after a convolution folded into its weights and bias;</li>
 *   <li>{@code conv_residual_add}: a residual added in the convolution's epilogue;</li>
 *   <li>{@code conv_relu}, {@code conv_clip} (ReLU6), {@code conv_sigmoid}, {@code conv_silu}, {@code conv_hardswish}:
 *       the activation in the convolution's epilogue (the σ family rounds differently from the separate op).</li>
 * </ul>
 */
public final class FusionRules {
    public static final FusionRule BATCH_NORM_RELU_MAX_POOL = new FusionRule("batch_norm_relu_max_pool", List.of(BATCH_NORM, RELU, MAX_POOL),
            true, false, "one pass normalizing, rectifying and pooling each plane; only the pooled output is written");
    public static final FusionRule CONV_BATCH_NORM = new FusionRule("conv_batch_norm", List.of(CONVOLUTION, BATCH_NORM),
            false, true, "the convolution with W·γ/√(σ²+ε) and (b−μ)·γ/√(σ²+ε)+β");
    public static final FusionRule CONV_RESIDUAL_ADD = new FusionRule("conv_residual_add", List.of(CONVOLUTION, RESIDUAL_ADD),
            true, true, "the convolution adding the residual to each output while it is in cache");
    public static final FusionRule CONV_RELU = epilogue("conv_relu", RELU, true);
    public static final FusionRule CONV_CLIP = epilogue("conv_clip", CLIP, true);
    public static final FusionRule CONV_SIGMOID = epilogue("conv_sigmoid", SIGMOID, false);
    public static final FusionRule CONV_SILU = epilogue("conv_silu", SILU, false);
    public static final FusionRule CONV_HARDSWISH = epilogue("conv_hardswish", HARDSWISH, false);

    private static final FusionRules DEFAULTS = new FusionRules(List.of(BATCH_NORM_RELU_MAX_POOL, CONV_BATCH_NORM, CONV_RESIDUAL_ADD,
            CONV_RELU, CONV_CLIP, CONV_SIGMOID, CONV_SILU, CONV_HARDSWISH));
    private static final ThreadLocal<FusionRules> SCOPED = new ThreadLocal<>();

    private final List<FusionRule> rules;

    private FusionRules(List<FusionRule> rules) {
        this.rules = List.copyOf(rules);
    }

    private static FusionRule epilogue(String name, OpKind activation, boolean exact) {
        return new FusionRule(name, List.of(CONVOLUTION, activation), exact, false, "the convolution applying " + activation + " in its epilogue");
    }

    /** The default table. */
    public static FusionRules defaults() {
        return DEFAULTS;
    }

    /** The table in force on this thread: the one of the innermost {@link #use}, else the defaults. */
    public static FusionRules current() {
        FusionRules r = SCOPED.get();
        return r != null ? r : DEFAULTS;
    }

    /** A table without the named rules; an unknown name is refused, listing the names there are. */
    public FusionRules without(String... names) {
        Map<String, FusionRule> left = new LinkedHashMap<>();
        for (FusionRule r : rules) left.put(r.name(), r);
        for (String n : names) {
            if (left.remove(n) == null) throw new IllegalArgumentException("no fusion rule '" + n + "' in this table; the rules: " + left.keySet());
        }
        return new FusionRules(new ArrayList<>(left.values()));
    }

    /** Runs {@code body} with this table in force on the calling thread (for Sequential forwards and ONNX loads inside it). */
    public <T> T use(Supplier<T> body) {
        FusionRules before = SCOPED.get();
        SCOPED.set(this);
        try {
            return body.get();
        } finally {
            if (before == null) SCOPED.remove();
            else SCOPED.set(before);
        }
    }

    public List<FusionRule> rules() {
        return rules;
    }

    public boolean has(FusionRule rule) {
        return rules.contains(rule);
    }

    /**
     * The first rule of the table whose chain starts at {@code kinds[from]}, or null.
     *
     * @param exactOnly only rules that keep the bits
     * @param inference whether inference-only rules may apply
     */
    public FusionRule matchAt(List<OpKind> kinds, int from, boolean exactOnly, boolean inference) {
        for (FusionRule r : rules) {
            if (exactOnly && !r.exact() || !inference && r.inferenceOnly()) continue;
            if (r.matchesAt(kinds, from)) return r;
        }
        return null;
    }

    /** The rule putting {@code activation} in a convolution's epilogue, or null when the table has none. */
    public FusionRule convolutionEpilogue(OpKind activation) {
        for (FusionRule r : rules) if (r.convolutionEpilogue() == activation && activation != null) return r;
        return null;
    }

    @Override
    public String toString() {
        return "FusionRules" + rules.stream().map(FusionRule::name).toList();
    }
}
