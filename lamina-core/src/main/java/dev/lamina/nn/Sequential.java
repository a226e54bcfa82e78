package dev.lamina.nn;

import dev.lamina.backend.ConvEpilogue;
import dev.lamina.fusion.FusionRule;
import dev.lamina.fusion.FusionRules;
import dev.lamina.fusion.OpKind;
import dev.lamina.kernels.Activation;
import dev.lamina.nn.functional.BatchNormReluPoolOp;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; children are named "0", "1", ... like PyTorch's {@code nn.Sequential}. */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    /** Appends a layer and returns this. */
    public Sequential add(Module layer) {
        registerModule(Integer.toString(layers.size()), layer);
        layers.add(layer);
        return this;
    }

    @Override
    protected void childReplaced(String name, Module old, Module replacement) {
        layers.set(Integer.parseInt(name), replacement);
    }

    public Module get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    /**
     * Input: whatever the first layer takes. Output: whatever the last layer returns.
     *
     * <p>Runs of layers that a rule of the current {@link FusionRules} table matches, among the rules that keep the
     * bits, run as one fused op; the layers, their parameters and buffers are unchanged, and the result is the
     * layers' own:
     * BatchNorm2d → ReLU → MaxPool2d(2×2, stride 2) as {@link BatchNormReluPoolOp} ({@code batch_norm_relu_max_pool},
     * training too), Conv2d → ReLU or ReLU6 with the activation in the convolution's epilogue ({@code conv_relu},
     * {@code conv_clip}; when a gradient is wanted the convolution runs unfused). {@link #fusionPlan()} lists them.
     */
    @Override
    public Tensor forward(Tensor input) {
        FusionRules rules = FusionRules.current();
        List<OpKind> kinds = kinds();
        Tensor x = input;
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            FusionRule rule = rules.matchAt(kinds, i, true, false);
            if (rule == FusionRules.BATCH_NORM_RELU_MAX_POOL && m instanceof BatchNorm2d bn
                    && BatchNormReluPoolOp.applies(((MaxPool2d) layers.get(i + 2)).window(), x)) {
                BatchNormBase.Statistics st = bn.statistics(x);
                x = BatchNormReluPoolOp.forward(x, bn.runningMean(), bn.runningVar(), bn.weight(), bn.bias(), st.fromBatch(), st.momentum(), bn.eps());
                i += 2;
                continue;
            }
            if (rule != null && rule.convolutionEpilogue() != null) {
                x = ((Conv2d) m).forward(x, epilogue(layers.get(i + 1)));
                i += 1;
                continue;
            }
            x = m.forward(x);
        }
        return x;
    }

    /**
     * The runs of layers {@link #forward} fuses under the current {@link FusionRules}, as {@code rule(first-last)}
     * with the children's indices, e.g. {@code [conv_relu(0-1), batch_norm_relu_max_pool(3-5)]}. A run whose shape
     * condition fails on a given input (a pooling window other than 2×2 stride 2, a plane smaller than 2×2) runs
     * unfused then.
     */
    public List<String> fusionPlan() {
        FusionRules rules = FusionRules.current();
        List<OpKind> kinds = kinds();
        List<String> plan = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            FusionRule rule = rules.matchAt(kinds, i, true, false);
            if (rule == null) continue;
            int last = i + rule.chain().size() - 1;
            plan.add(rule.name() + "(" + i + "-" + last + ")");
            i = last;
        }
        return plan;
    }

    /** The kind of each layer for the fusion rules (null: a layer no rule names). The one place layers map to kinds. */
    private List<OpKind> kinds() {
        List<OpKind> kinds = new ArrayList<>(layers.size());
        for (Module m : layers) {
            kinds.add(switch (m) {
                case Conv2d c -> OpKind.CONVOLUTION;
                case BatchNorm2d b -> OpKind.BATCH_NORM;
                case MaxPool2d p -> OpKind.MAX_POOL;
                case ReLU r -> OpKind.RELU;
                case ReLU6 r -> OpKind.CLIP;
                case Sigmoid s -> OpKind.SIGMOID;
                case SiLU s -> OpKind.SILU;
                case Hardswish h -> OpKind.HARDSWISH;
                default -> null;
            });
        }
        return kinds;
    }

    /** The convolution epilogue of an activation layer that {@link #kinds} maps to an epilogue kind. */
    private static ConvEpilogue epilogue(Module activation) {
        if (activation instanceof ReLU6) return new ConvEpilogue(Activation.CLIP, 0f, 6f, null);
        OpKind kind = activation instanceof ReLU ? OpKind.RELU : activation instanceof Sigmoid ? OpKind.SIGMOID
                : activation instanceof SiLU ? OpKind.SILU : OpKind.HARDSWISH;
        return ConvEpilogue.of(kind.epilogue());
    }

    /**
     * As {@link #forward(Tensor)}, with every layer run on its own (no fusion) and shown to {@code observer} in
     * order; a nested {@code Sequential} shows its own layers first, then itself. The result is the same as
     * {@code forward}'s.
     */
    public Tensor forward(Tensor input, ForwardObserver observer) {
        Tensor x = input;
        for (Module m : layers) {
            Tensor in = x;
            Tensor out = m instanceof Sequential inner ? inner.forward(in, observer) : m.forward(in);
            x = observer.observe(m, in, out);
        }
        return x;
    }
}
