package dev.lamina.cli;

import dev.lamina.optim.Adam;
import dev.lamina.optim.AdamW;
import dev.lamina.optim.Optimizer;
import dev.lamina.optim.RMSprop;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/** The optimizers the command line knows by name (--optimizer). */
final class Optimizers {
    private Optimizers() {
    }

    /**
     * adam, adamw, sgd (momentum 0.9) or rmsprop over {@code params} at {@code lr}.
     *
     * @throws IllegalArgumentException naming {@code flag}, the name and the choices
     */
    static Optimizer of(String flag, String name, List<Tensor> params, double lr) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(params, lr);
            case "adamw" -> new AdamW(params, lr);
            case "sgd" -> new SGD(params, lr).momentum(0.9);
            case "rmsprop" -> new RMSprop(params, lr);
            default -> throw new IllegalArgumentException("unknown " + (flag.equals("--optimizer") ? "optimizer" : flag) + " '" + name + "'; available: adam, adamw, sgd, rmsprop");
        };
    }
}
