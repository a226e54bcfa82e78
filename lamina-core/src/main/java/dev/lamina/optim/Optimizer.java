package dev.lamina.optim;

import dev.lamina.backend.OptimizerOps;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Updates parameters from their gradients. Parameters without a gradient after backward() are skipped, as in
 * PyTorch. Updates run in place on the parameters, through their backend's {@link OptimizerOps}, and are never
 * recorded on the tape; the state buffers are tensors of the parameter's backend and shape.
 */
public abstract class Optimizer {
    protected final List<Tensor> params;
    /** The learning rate of the first group (of every parameter, when built from a plain list); see {@link #lrOf}. */
    protected double lr;
    /** Completed steps. */
    protected long steps;

    /**
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor that is not a contiguous leaf,
     *                                  or {@code lr} is negative, NaN or infinite
     */
    protected Optimizer(List<Tensor> params, double lr) {
        this(checked(params, "Optimizer"), lr, true);
    }

    /**
     * Parameter groups with their own learning rate and weight decay, as PyTorch's {@code param_groups}; a group
     * without its own lr takes {@code lr}, one without its own weight decay the optimizer's.
     *
     * @throws IllegalArgumentException as the list constructor, naming the group
     */
    protected Optimizer(ParamGroups groups, double lr) {
        this(Objects.requireNonNull(groups, "param groups"), lr, false);
    }

    private static ParamGroups checked(List<Tensor> params, String who) {
        Objects.requireNonNull(params, who + ": params");
        if (params.isEmpty()) return null;
        return ParamGroups.single(params);
    }

    private Optimizer(ParamGroups groups, double lr, boolean plainList) {
        String name = getClass().getSimpleName();
        if (groups == null) throw new IllegalArgumentException(name + ": the parameter list is empty (nothing to optimize)");
        List<Tensor> all = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            List<Tensor> ps = groups.groups().get(g).params();
            for (int i = 0; i < ps.size(); i++) {
                Tensor p = ps.get(i);
                String which = plainList ? "parameter " + all.size() : "parameter " + i + " of group " + g;
                if (p == null) throw new IllegalArgumentException(name + ": " + which + " is null");
                if (!p.isLeaf() || !p.isContiguous()) throw new IllegalArgumentException(name + ": parameters must be contiguous leaf tensors (" + which + " is not)");
                all.add(p);
                owner.add(g);
            }
        }
        this.params = List.copyOf(all);
        this.lr = checkLr(name, lr);
        this.groupOf = owner.stream().mapToInt(Integer::intValue).toArray();
        this.groupLr = new double[groups.size()];
        this.groupWeightDecay = new double[groups.size()];
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.groups().get(g);
            groupLr[g] = group.lr() == null ? this.lr : group.lr();
            groupWeightDecay[g] = group.weightDecay() == null ? Double.NaN : group.weightDecay();
        }
        this.lr = groupLr[0];
    }

    /** Group of each parameter (by index in {@link #params()}). */
    private final int[] groupOf;
    /** Learning rate of each group. */
    private final double[] groupLr;
    /** Weight decay of each group, NaN where the group takes the optimizer's own. */
    private final double[] groupWeightDecay;

    /** The learning rate of parameter {@code index}: its group's. */
    protected final double lrOf(int index) {
        return groupLr[groupOf[index]];
    }

    /** The weight decay of parameter {@code index}: its group's own, or {@code own} (the optimizer's) where it has none. */
    protected final double weightDecayOf(int index, double own) {
        double wd = groupWeightDecay[groupOf[index]];
        return Double.isNaN(wd) ? own : wd;
    }

    /** Number of parameter groups (1 for an optimizer built from a plain list). */
    public int groupCount() {
        return groupLr.length;
    }

    /** The learning rate of group {@code group}. */
    public double groupLr(int group) {
        return groupLr[Objects.checkIndex(group, groupLr.length)];
    }

    /** Sets the learning rate of one group (a {@link Scheduler} does this for every group from its own base rate). */
    public void setGroupLr(int group, double lr) {
        groupLr[Objects.checkIndex(group, groupLr.length)] = checkLr(getClass().getSimpleName() + ".setGroupLr", lr);
        if (group == 0) this.lr = lr;
    }

    private static double checkLr(String who, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException(who + ": learning rate lr must be a finite number >= 0, got " + lr);
        return lr;
    }

    /** {@code value} if it is a finite number >= 0, else an exception naming the optimizer, {@code name} and the value. */
    protected final double nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be a finite number >= 0, got " + value);
        return value;
    }

    /** {@code value} if it is a finite number > 0, else an exception naming the optimizer, {@code name} and the value. */
    protected final double positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be a finite number > 0, got " + value);
        return value;
    }

    /** {@code value} if it lies in [0, 1), else an exception naming the optimizer, {@code name} and the value. */
    protected final double unitInterval(String name, double value) {
        if (!(value >= 0 && value < 1)) throw new IllegalArgumentException(getClass().getSimpleName() + ": " + name + " must be in [0, 1), got " + value);
        return value;
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) continue;
            if (!g.isContiguous()) g = p.backend().copy(g);
            update(i, p, g);
        }
    }

    /**
     * Updates parameter {@code index}, {@code p} (a contiguous leaf), from its gradient {@code g} (contiguous, same
     * shape) through {@code p.backend()}'s {@link OptimizerOps}. {@link #steps} already counts this step.
     */
    protected abstract void update(int index, Tensor p, Tensor g);

    /** Forgets all gradients. */
    public void zeroGrad() {
        for (Tensor p : params) p.zeroGrad();
    }

    /** The learning rate (of the first group, when there are several). */
    public double lr() {
        return lr;
    }

    /**
     * Sets the learning rate of every group (PyTorch: assigning each {@code param_group['lr']}).
     *
     * @throws IllegalArgumentException if it is negative, NaN or infinite
     */
    public void setLr(double lr) {
        this.lr = checkLr(getClass().getSimpleName() + ".setLr", lr);
        java.util.Arrays.fill(groupLr, lr);
    }

    public List<Tensor> params() {
        return params;
    }

    /** Completed steps. */
    public long stepCount() {
        return steps;
    }

    /**
     * This optimizer's per-parameter state buffers by PyTorch name; each array holds one slot per parameter (null
     * until the optimizer creates that parameter's buffer, a tensor of the parameter's shape and backend). {@link #stateDict()} and {@link #loadStateDict} go
     * through it, so every buffer an optimizer keeps must be listed here.
     */
    protected abstract Map<String, Tensor[]> stateBuffers();

    /** Hyperparameters by PyTorch name (booleans as 0 or 1), for {@link #stateDict()}. */
    protected abstract Map<String, Double> hyperparameters();

    /**
     * Sets the hyperparameters from a state dict; {@code values} has exactly the keys of {@link #hyperparameters()}
     * and finite values. Checks everything before changing anything.
     */
    protected abstract void setHyperparameters(Map<String, Double> values);

    /** A copy of this optimizer's state (see {@link OptimizerState}), as PyTorch's {@code state_dict()}. */
    public OptimizerState stateDict() {
        Map<String, Tensor[]> slots = stateBuffers();
        List<Map<String, float[]>> perParam = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Map<String, float[]> m = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor[]> e : slots.entrySet()) {
                if (e.getValue()[i] != null) m.put(e.getKey(), e.getValue()[i].toArray());
            }
            perParam.add(m);
        }
        return new OptimizerState(getClass().getSimpleName(), steps, lr, allHyperparameters(), perParam);
    }

    /**
     * Makes this optimizer continue from {@code state}, as PyTorch's {@code load_state_dict}: the step count, the
     * learning rate, the hyperparameters and every state buffer are replaced (buffers absent from the state are
     * dropped, to be created afresh when needed). The state must come from an optimizer of the same class over
     * parameters of the same sizes in the same order; everything is checked before anything changes, and every
     * problem found is listed in the exception.
     *
     * @throws IllegalArgumentException if the state does not fit this optimizer
     */
    public void loadStateDict(OptimizerState state) {
        Objects.requireNonNull(state, "state");
        String name = getClass().getSimpleName();
        List<String> problems = new ArrayList<>();
        if (!state.type().equals(name)) problems.add("the state is of a " + state.type() + " optimizer, this is " + name);
        if (state.step() < 0) problems.add("negative step count " + state.step());
        if (!(state.lr() >= 0) || Double.isInfinite(state.lr())) problems.add("learning rate " + state.lr() + " is not a non-negative number");
        Map<String, Double> own = allHyperparameters();
        if (!own.keySet().equals(state.hyperparameters().keySet())) {
            problems.add("hyperparameters " + new TreeSet<>(state.hyperparameters().keySet()) + ", expected " + new TreeSet<>(own.keySet()));
        } else {
            state.hyperparameters().forEach((k, v) -> {
                if (v == null || !Double.isFinite(v)) problems.add("hyperparameter " + k + " = " + v + " is not a finite number");
            });
        }
        Map<String, Tensor[]> slots = stateBuffers();
        if (state.buffers().size() != params.size()) {
            problems.add("state for " + state.buffers().size() + " parameters, this optimizer has " + params.size());
        } else {
            for (int i = 0; i < params.size(); i++) {
                int n = params.get(i).numel();
                for (Map.Entry<String, float[]> e : state.buffers().get(i).entrySet()) {
                    if (!slots.containsKey(e.getKey())) {
                        problems.add("parameter " + i + ": unknown buffer '" + e.getKey() + "' (" + name + " keeps " + slots.keySet() + ")");
                    } else if (e.getValue().length != n) {
                        problems.add("parameter " + i + ": buffer '" + e.getKey() + "' has " + e.getValue().length + " values, the parameter " + n);
                    }
                }
            }
        }
        if (!problems.isEmpty()) throw new IllegalArgumentException(name + ".loadStateDict: " + String.join("; ", problems));
        setHyperparameters(state.hyperparameters());
        for (int g = 0; g < groupLr.length; g++) {
            Double glr = state.hyperparameters().get(GROUP + g + ".lr");
            if (glr != null) groupLr[g] = glr;
            Double gwd = state.hyperparameters().get(GROUP + g + ".weight_decay");
            if (gwd != null) groupWeightDecay[g] = gwd;
        }
        for (Map.Entry<String, Tensor[]> e : slots.entrySet()) {
            Tensor[] s = e.getValue();
            for (int i = 0; i < s.length; i++) {
                float[] v = state.buffers().get(i).get(e.getKey());
                Tensor p = params.get(i);
                s[i] = v == null ? null : p.backend().wrap(v.clone(), p.shape());
            }
        }
        steps = state.step();
        lr = state.lr();
        groupLr[0] = lr;
    }

    private static final String GROUP = "param_groups.";

    /**
     * {@link #hyperparameters()} and, for parameter groups, {@code param_groups.<g>.lr} of every group after the
     * first (the first's is the state's lr) and {@code param_groups.<g>.weight_decay} of every group with its own.
     */
    private Map<String, Double> allHyperparameters() {
        Map<String, Double> h = new LinkedHashMap<>(hyperparameters());
        for (int g = 0; g < groupLr.length; g++) {
            if (g > 0) h.put(GROUP + g + ".lr", groupLr[g]);
            if (!Double.isNaN(groupWeightDecay[g])) h.put(GROUP + g + ".weight_decay", groupWeightDecay[g]);
        }
        return h;
    }

    /** Names of the {@link #hyperparameters()} that are flags (0 or 1), shown as false/true by {@link #toString()}. */
    protected Set<String> flags() {
        return Set.of();
    }

    /** The type and hyperparameters with PyTorch's names, e.g. {@code Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0, amsgrad=false)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append("(lr=").append(number(lr));
        Set<String> flags = flags();
        allHyperparameters().forEach((k, v) -> sb.append(", ").append(k).append('=').append(flags.contains(k) ? String.valueOf(v != 0) : number(v)));
        return sb.append(')').toString();
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        String s = String.format(java.util.Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            String[] parts = s.split("e");
            String mantissa = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "") : parts[0];
            return mantissa + "e" + parts[1];
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** Lazily created per-parameter state buffer: zeros of {@code p}'s shape on its backend. */
    protected static Tensor state(Tensor[] slots, int index, Tensor p) {
        if (slots[index] == null) slots[index] = p.backend().wrap(new float[p.numel()], p.shape());
        return slots[index];
    }
}
