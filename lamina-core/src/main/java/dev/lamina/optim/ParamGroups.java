package dev.lamina.optim;

import dev.lamina.nn.Module;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The parameter groups an optimizer is built with (PyTorch's {@code optimizer(param_groups, lr=...)}), in order:
 * every optimizer takes them in place of a plain parameter list. A parameter may belong to one group only.
 */
public final class ParamGroups {
    private final List<ParamGroup> groups;

    private ParamGroups(List<ParamGroup> groups) {
        if (groups.isEmpty()) throw new IllegalArgumentException("ParamGroups: no groups (nothing to optimize)");
        Map<Tensor, Integer> seen = new IdentityHashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = Objects.requireNonNull(groups.get(g), "ParamGroups: group " + g);
            if (group.params().isEmpty()) throw new IllegalArgumentException("ParamGroups: group " + g + " has no parameters");
            for (Tensor p : group.params()) {
                Integer before = seen.put(p, g);
                if (before != null) throw new IllegalArgumentException("ParamGroups: a parameter appears in group " + before + " and in group " + g + " (each belongs to one group)");
            }
        }
        this.groups = List.copyOf(groups);
    }

    public static ParamGroups of(ParamGroup... groups) {
        return new ParamGroups(List.of(groups));
    }

    public static ParamGroups of(List<ParamGroup> groups) {
        return new ParamGroups(groups);
    }

    /**
     * Two groups of {@code model}'s parameters: those named {@code prefix} or under {@code prefix.} (a head:
     * {@code "fc"}) with their own {@code lr} and {@code weightDecay} (null: the optimizer's), then all the others
     * with the optimizer's. Fails naming the prefix when it matches no parameter or every parameter.
     */
    public static ParamGroups split(Module model, String prefix, Double lr, Double weightDecay) {
        List<Tensor> matched = new ArrayList<>(), rest = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> (name.equals(prefix) || name.startsWith(prefix + ".") ? matched : rest).add(p));
        if (matched.isEmpty()) throw new IllegalArgumentException("ParamGroups.split: no parameter of " + model.describe() + " is named '" + prefix + "' or starts with '" + prefix + ".'");
        if (rest.isEmpty()) return of(new ParamGroup(matched, lr, weightDecay));
        return of(new ParamGroup(matched, lr, weightDecay), ParamGroup.of(rest));
    }

    /** A single group: the parameters with the optimizer's own settings (what a plain list means). */
    static ParamGroups single(List<Tensor> params) {
        return new ParamGroups(List.of(ParamGroup.of(params)));
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    public int size() {
        return groups.size();
    }
}
