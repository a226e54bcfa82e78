package dev.lamina.nn;

import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Loading a state dict (name → tensor, e.g. from {@link dev.lamina.io.Safetensors}) into a {@link Module}. */
public final class StateDicts {
    private StateDicts() {
    }

    /** What a load left out: model keys the state dict lacked, and state-dict keys the model does not have. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
        public LoadResult {
            missingKeys = List.copyOf(missingKeys);
            unexpectedKeys = List.copyOf(unexpectedKeys);
        }
    }

    /** Every problem found by one load, listed in the message and available one by one. */
    public static final class StateDictException extends IllegalArgumentException {
        private final List<String> missingKeys;
        private final List<String> unexpectedKeys;
        private final List<String> shapeMismatches;

        StateDictException(String message, List<String> missing, List<String> unexpected, List<String> mismatches) {
            super(message);
            this.missingKeys = List.copyOf(missing);
            this.unexpectedKeys = List.copyOf(unexpected);
            this.shapeMismatches = List.copyOf(mismatches);
        }

        public List<String> missingKeys() {
            return missingKeys;
        }

        public List<String> unexpectedKeys() {
            return unexpectedKeys;
        }

        /** One line per key whose shape differs: {@code "1.weight: state dict [3, 4], model [4, 3]"}. */
        public List<String> shapeMismatches() {
            return shapeMismatches;
        }
    }

    /**
     * Copies {@code stateDict}'s values into {@code module}'s parameters and buffers by dotted name
     * ({@link Module#stateDict()}). Everything is checked before anything is copied, so a failed load changes
     * nothing. With {@code strict}, missing keys, unexpected keys and shape mismatches are all reported in one
     * {@link StateDictException}; without it, missing and unexpected keys are ignored (and returned) but shape
     * mismatches (and null values) are still an error. Values are copied (the module keeps its own tensors) and the
     * copy is not recorded for autograd.
     */
    public static LoadResult load(Module module, Map<String, Tensor> stateDict, boolean strict) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(stateDict, "stateDict");
        Map<String, Tensor> own = module.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        for (String k : own.keySet()) {
            if (!stateDict.containsKey(k)) missing.add(k);
        }
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            Tensor dst = own.get(e.getKey());
            if (dst == null) {
                unexpected.add(e.getKey());
            } else if (e.getValue() == null) {
                mismatches.add(e.getKey() + ": state dict value is null, model " + Shape.str(dst.shape()));
            } else if (!Arrays.equals(dst.shape(), e.getValue().shape())) {
                mismatches.add(e.getKey() + ": state dict " + Shape.str(e.getValue().shape()) + ", model " + Shape.str(dst.shape()));
            }
        }
        boolean fail = !mismatches.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()));
        if (fail) {
            StringBuilder sb = new StringBuilder("error(s) loading state dict into ").append(module.describe()).append(':');
            if (strict && !missing.isEmpty()) sb.append("\n  missing keys (").append(missing.size()).append("): ").append(String.join(", ", missing));
            if (strict && !unexpected.isEmpty()) sb.append("\n  unexpected keys (").append(unexpected.size()).append("): ").append(String.join(", ", unexpected));
            if (!mismatches.isEmpty()) sb.append("\n  shape mismatches (").append(mismatches.size()).append("):\n    ").append(String.join("\n    ", mismatches));
            throw new StateDictException(sb.toString(), strict ? missing : List.of(), strict ? unexpected : List.of(), mismatches);
        }
        for (Map.Entry<String, Tensor> e : stateDict.entrySet()) {
            Tensor dst = own.get(e.getKey());
            if (dst != null) dst.copyFrom_(e.getValue());
        }
        return new LoadResult(missing, unexpected);
    }
}
