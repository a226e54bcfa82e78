package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A layer or a model: named parameters, buffers and sub-modules in PyTorch state-dict style ({@code fc1.weight},
 * {@code 0.bias}), a training/evaluation mode, and a {@link #forward}. Each module knows its path in the model,
 * so errors can say {@code features.3 (Conv2d)} rather than just "Conv2d".
 *
 * <p>In {@link #eval()} mode, {@code forward} does not change any state and may be called from several threads
 * at once.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Rng> rngs = new LinkedHashMap<>();
    private boolean training = true;
    private String path = "";

    /** Applies the layer. Subclasses document the input and output shapes. */
    public abstract Tensor forward(Tensor input);

    /**
     * The immutable record this layer was built from ({@link LayerConfig}); layers override it with their own
     * nested {@code Config}. Containers and composite blocks have none (their children do).
     *
     * @throws UnsupportedOperationException for a module without a config record, naming it
     */
    public LayerConfig config() {
        throw new UnsupportedOperationException(describe() + ": no config record (a container or composite block: its layers have theirs)");
    }

    /** Registers a trainable tensor under {@code name}; it is marked {@code requiresGrad}. */
    protected Tensor registerParameter(String name, Tensor value) {
        checkName(name);
        if (!value.isLeaf()) throw new IllegalArgumentException(describe() + ": parameter '" + name + "' must be a leaf tensor");
        value.requiresGrad(true);
        parameters.put(name, value);
        return value;
    }

    /** Registers a non-trainable tensor that belongs in the state dict (running statistics, for example). */
    protected Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /**
     * Registers a random generator this layer draws from while training (dropout masks, for example), so that a
     * checkpoint saves its state and a resumed run draws the same numbers ({@link #namedRngs()}).
     */
    protected Rng registerRng(String name, Rng rng) {
        checkName(name);
        rngs.put(name, java.util.Objects.requireNonNull(rng, "rng"));
        return rng;
    }

    /** Registers a sub-module under {@code name}; its path becomes {@code thisPath.name}. */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        ((Module) module).setPath(path.isEmpty() ? name : path + "." + name);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("invalid name '" + name + "': must be non-empty without dots");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name) || rngs.containsKey(name)) {
            throw new IllegalArgumentException(describe() + ": name '" + name + "' already registered");
        }
    }

    private void setPath(String p) {
        this.path = p;
        for (Map.Entry<String, Module> e : children.entrySet()) e.getValue().setPath(p + "." + e.getKey());
    }

    /** Path of this module in its model ("" for the root). */
    public String path() {
        return path;
    }

    /** "fc1 (Linear)" — how errors name this layer. */
    public String describe() {
        String type = getClass().getSimpleName();
        return path.isEmpty() ? type : path + " (" + type + ")";
    }

    /** A shape error that names this layer. */
    protected ShapeException shapeError(String expected, Tensor actual) {
        return new ShapeException(describe() + ": expected input of shape " + expected + ", got " + Shape.str(actual.shape()));
    }

    /** Every parameter of this module and its descendants, by dotted name, in registration order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(out, "", true, false);
        return out;
    }

    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters and buffers by dotted name, as PyTorch's {@code state_dict()}. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(out, "", true, true);
        return out;
    }

    /** The random generators registered by this module and its descendants, by dotted name ({@code 5.rng}). */
    public Map<String, Rng> namedRngs() {
        Map<String, Rng> out = new LinkedHashMap<>();
        collectRngs(out, "");
        return out;
    }

    private void collectRngs(Map<String, Rng> out, String prefix) {
        rngs.forEach((k, r) -> out.put(prefix + k, r));
        children.forEach((k, m) -> m.collectRngs(out, prefix + k + "."));
    }

    private void collect(Map<String, Tensor> out, String prefix, boolean params, boolean bufs) {
        if (params) parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (bufs) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(out, prefix + k + ".", params, bufs));
    }

    /**
     * Copies {@code stateDict}'s values into the parameters and buffers of the same PyTorch-style name, as
     * PyTorch's {@code load_state_dict}; see {@link StateDicts#load} for the rules.
     */
    public StateDicts.LoadResult loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
        return StateDicts.load(this, stateDict, strict);
    }

    /**
     * Puts {@code replacement} where the sub-module at dotted {@code path} was (a new head for transfer learning:
     * {@code model.replaceModule("fc", new Linear(512, 5))}) and returns the module it replaced; the replacement
     * takes that path, and its parameters appear under it in {@link #stateDict()}. The parent must accept the
     * swap ({@link #childReplaced}); the error names the path and the modules there.
     */
    public Module replaceModule(String path, Module replacement) {
        java.util.Objects.requireNonNull(replacement, "replacement");
        int dot = path.lastIndexOf('.');
        Module parent = this;
        if (dot >= 0) {
            for (String part : path.substring(0, dot).split("\\.", -1)) {
                Module next = parent.children.get(part);
                if (next == null) throw new IllegalArgumentException(describe() + ": no sub-module '" + path + "' ('" + part + "' not found; children of " + parent.describe() + ": " + parent.children.keySet() + ")");
                parent = next;
            }
        }
        String name = path.substring(dot + 1);
        Module old = parent.children.get(name);
        if (old == null) throw new IllegalArgumentException(describe() + ": no sub-module '" + path + "' (children of " + parent.describe() + ": " + parent.children.keySet() + ")");
        parent.childReplaced(name, old, replacement);
        parent.children.put(name, replacement);
        replacement.setPath(parent.path.isEmpty() ? name : parent.path + "." + name);
        return old;
    }

    /**
     * Called before child {@code name} is swapped for {@code replacement} by {@link #replaceModule}, so a module
     * that keeps its children in fields can update them (or refuse with an exception). By default it refuses.
     */
    protected void childReplaced(String name, Module old, Module replacement) {
        throw new UnsupportedOperationException(describe() + " does not support replacing its sub-module '" + name + "' (" + old.getClass().getSimpleName() + ")");
    }

    /** Direct sub-modules by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) n += t.numel();
        return n;
    }

    /** Parameters registered directly on this module (not its children). */
    public long ownParameterCount() {
        long n = 0;
        for (Tensor t : parameters.values()) n += t.numel();
        return n;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    /** Sets training mode here and in every descendant. */
    public Module train(boolean mode) {
        training = mode;
        for (Module m : children.values()) m.train(mode);
        return this;
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears the gradients of all parameters. */
    public void zeroGrad() {
        for (Tensor t : parameters()) t.zeroGrad();
    }

    /**
     * A table of layers, output shapes for an input of {@code exampleInputShape} (batch dimension first) and
     * parameter counts; see {@link ModelSummary}.
     */
    public String summary(int... exampleInputShape) {
        return ModelSummary.of(this, exampleInputShape);
    }

    /** One line of configuration shown by {@link #toString()}, e.g. "in=784, out=256". */
    protected String extraRepr() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((k, m) -> sb.append("  (").append(k).append("): ").append(m.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
