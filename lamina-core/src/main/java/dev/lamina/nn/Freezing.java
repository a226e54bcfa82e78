package dev.lamina.nn;

import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Freezing parts of a model for transfer learning. A parameter matches a prefix when its dotted name equals it or
 * starts with it followed by a dot ({@code "layer1"} matches {@code layer1.0.conv1.weight}, not
 * {@code layer10.weight}); {@code ""} matches everything. A frozen parameter has {@code requiresGrad} false, so no
 * gradient reaches it and no optimizer changes it (they skip parameters without a gradient).
 */
public final class Freezing {
    private Freezing() {}

    /** Freezes the parameters under each prefix and returns their names; a prefix matching nothing is an error. */
    public static List<String> freeze(Module model, String... prefixes) {
        return set(model, false, prefixes);
    }

    /** Makes the parameters under each prefix trainable again and returns their names. */
    public static List<String> unfreeze(Module model, String... prefixes) {
        return set(model, true, prefixes);
    }

    /** Freezes every parameter except those under {@code prefixes} (the head), which become trainable. */
    public static List<String> freezeAllBut(Module model, String... prefixes) {
        List<String> frozen = new ArrayList<>();
        List<String> kept = matching(model, prefixes);
        model.namedParameters().forEach((name, p) -> {
            boolean train = kept.contains(name);
            p.requiresGrad(train);
            if (!train) {
                p.zeroGrad();
                frozen.add(name);
            }
        });
        return frozen;
    }

    /** The names of the trainable parameters ({@code requiresGrad}), in order. */
    public static List<String> trainable(Module model) {
        List<String> out = new ArrayList<>();
        model.namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) out.add(name);
        });
        return out;
    }

    /**
     * Keeps every BatchNorm under the prefixes in evaluation mode, even when the model is put in training mode
     * (fine-tuning with the pretrained statistics: running mean and variance stay as loaded and normalise as at
     * inference), and puts them in evaluation mode now; returns their paths.
     */
    public static List<String> keepBatchNormEval(Module model, String... prefixes) {
        Map<String, BatchNormBase> found = batchNorms(model, prefixes);
        if (found.isEmpty()) throw new IllegalArgumentException(model.describe() + ": no BatchNorm layer under " + String.join(", ", quoted(prefixes)));
        found.values().forEach(bn -> bn.keepEval(true));
        return new ArrayList<>(found.keySet());
    }

    /** The BatchNorm layers under the prefixes by path (none is not an error here). */
    public static Map<String, BatchNormBase> batchNorms(Module model, String... prefixes) {
        Map<String, Module> all = new LinkedHashMap<>();
        collect(model, "", all);
        Map<String, BatchNormBase> out = new LinkedHashMap<>();
        all.forEach((path, m) -> {
            if (m instanceof BatchNormBase bn && under(path, prefixes)) out.put(path, bn);
        });
        return out;
    }

    private static void collect(Module m, String path, Map<String, Module> out) {
        out.put(path, m);
        m.children().forEach((k, c) -> collect(c, path.isEmpty() ? k : path + "." + k, out));
    }

    private static List<String> set(Module model, boolean trainable, String... prefixes) {
        List<String> names = matching(model, prefixes);
        Map<String, Tensor> params = model.namedParameters();
        for (String name : names) {
            Tensor p = params.get(name);
            p.requiresGrad(trainable);
            if (!trainable) p.zeroGrad();
        }
        return names;
    }

    private static List<String> matching(Module model, String... prefixes) {
        if (prefixes.length == 0) throw new IllegalArgumentException(model.describe() + ": no prefix given");
        Map<String, Tensor> params = model.namedParameters();
        List<String> out = new ArrayList<>();
        for (String prefix : prefixes) {
            List<String> hit = params.keySet().stream().filter(n -> under(n, prefix)).toList();
            if (hit.isEmpty()) {
                throw new IllegalArgumentException(model.describe() + ": no parameter named '" + prefix + "' or starting with '" + prefix + ".'; top-level modules: " + model.children().keySet());
            }
            for (String n : hit) if (!out.contains(n)) out.add(n);
        }
        return out;
    }

    private static boolean under(String name, String... prefixes) {
        for (String prefix : prefixes) {
            if (prefix.isEmpty() || name.equals(prefix) || name.startsWith(prefix + ".")) return true;
        }
        return false;
    }

    private static List<String> quoted(String... prefixes) {
        List<String> out = new ArrayList<>();
        for (String p : prefixes) out.add("'" + p + "'");
        return out;
    }
}
