package dev.lamina.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of an {@link Optimizer}, as PyTorch's {@code optimizer.state_dict()}: the optimizer's class name, the
 * number of completed steps, the learning rate, the hyperparameters by PyTorch name ({@code betas} split into
 * {@code beta1} and {@code beta2}; booleans as 0 or 1), and for each parameter, in the optimizer's order, its state
 * buffers by name ({@code exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq} for Adam; {@code momentum_buffer}
 * for SGD; {@code square_avg}, {@code grad_avg}, {@code momentum_buffer} for RMSprop). A buffer that the optimizer
 * has not created yet (before the first step, or a parameter that never had a gradient) is absent.
 *
 * <p>The arrays are the snapshot's own copies: taking it or loading it never shares storage with the optimizer.
 *
 * @param type            the optimizer's simple class name ({@code "Adam"}, {@code "AdamW"}, {@code "SGD"}, ...)
 * @param step            completed steps (Adam's bias correction depends on it)
 * @param lr              the current learning rate
 * @param hyperparameters hyperparameters by name
 * @param buffers         per parameter, buffer name → values (parameter's element count)
 */
public record OptimizerState(String type, long step, double lr, Map<String, Double> hyperparameters,
                             List<Map<String, float[]>> buffers) {
    public OptimizerState {
        Objects.requireNonNull(type, "type");
        hyperparameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperparameters));
        List<Map<String, float[]>> copy = new ArrayList<>(buffers.size());
        for (Map<String, float[]> m : buffers) {
            Map<String, float[]> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(Objects.requireNonNull(k, "buffer name"), Objects.requireNonNull(v, () -> "buffer " + k).clone()));
            copy.add(Collections.unmodifiableMap(c));
        }
        buffers = Collections.unmodifiableList(copy);
    }
}
