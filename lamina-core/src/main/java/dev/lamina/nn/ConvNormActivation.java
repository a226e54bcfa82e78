package dev.lamina.nn;

import dev.lamina.tensor.Rng;

import java.util.function.Supplier;

/**
 * torchvision's {@code Conv2dNormActivation} as a {@link Sequential}: {@code 0} Conv2d (no bias, padding
 * (k − 1)/2, so stride 1 keeps H × W), {@code 1} BatchNorm2d, {@code 2} the activation (none when null).
 */
public final class ConvNormActivation {
    private ConvNormActivation() {}

    /**
     * @param eps        BatchNorm eps (1e-5 in torchvision's defaults, 1e-3 in MobileNetV3)
     * @param momentum   BatchNorm momentum (0.1 by default, 0.01 in MobileNetV3)
     * @param activation a new activation layer per call, or null for none
     */
    public static Sequential of(int in, int out, int kernel, int stride, int groups, double eps, double momentum, Supplier<Module> activation, Rng rng) {
        Sequential s = new Sequential(new Conv2d(in, out, kernel, groups, false, rng).stride(stride).padding((kernel - 1) / 2),
                new BatchNorm2d(out, eps, momentum, true, true));
        if (activation != null) s.add(activation.get());
        return s;
    }

    /** The same with torchvision's BatchNorm defaults (eps 1e-5, momentum 0.1). */
    public static Sequential of(int in, int out, int kernel, int stride, int groups, Supplier<Module> activation, Rng rng) {
        return of(in, out, kernel, stride, groups, 1e-5, 0.1, activation, rng);
    }
}
