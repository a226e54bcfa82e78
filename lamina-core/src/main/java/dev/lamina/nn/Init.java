package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/** Weight initialisers with PyTorch's definitions of fan-in and fan-out. Each fills the tensor in place and returns it. */
public final class Init {
    private Init() {}

    /** fan_in = size(1) · receptive field, fan_out = size(0) · receptive field. */
    public static int[] fans(Tensor t) {
        if (t.dim() < 2) throw new ShapeException("Init: fan in/out needs a tensor of at least 2 dimensions, got " + t.dim());
        int receptive = 1;
        for (int d = 2; d < t.dim(); d++) receptive *= t.size(d);
        return new int[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    /** Uniform in ±gain·√(3/fan_in), gain = √(2/(1+a²)) (PyTorch's kaiming_uniform_, leaky_relu, fan_in). */
    public static Tensor kaimingUniform(Tensor t, double a, Rng rng) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.sqrt(3.0 / fans(t)[0]);
        return uniform(t, -bound, bound, rng);
    }

    /** He initialisation for ReLU layers: normal with std √(2/fan_in). */
    public static Tensor heNormal(Tensor t, Rng rng) {
        return normal(t, 0, Math.sqrt(2.0 / fans(t)[0]), rng);
    }

    /** He initialisation, uniform variant: ±√(6/fan_in). */
    public static Tensor heUniform(Tensor t, Rng rng) {
        return kaimingUniform(t, 0, rng);
    }

    /** Glorot uniform: ±gain·√(6/(fan_in+fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Rng rng) {
        int[] f = fans(t);
        double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
        return uniform(t, -bound, bound, rng);
    }

    /** Glorot normal: std gain·√(2/(fan_in+fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain, Rng rng) {
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), rng);
    }

    public static Tensor uniform(Tensor t, double low, double high, Rng rng) {
        return t.copyFrom_(Tensor.uniform(rng, low, high, t.shape()));
    }

    public static Tensor normal(Tensor t, double mean, double std, Rng rng) {
        // Tensor.randn's draws (rounded to float), shifted and scaled in double: the same stream and values
        float[] d = new float[t.numel()];
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * (float) rng.nextGaussian());
        return t.copyFrom_(Tensor.of(d, t.shape()));
    }

    public static Tensor zeros(Tensor t) {
        return t.fill_(0f);
    }

    public static Tensor constant(Tensor t, float value) {
        return t.fill_(value);
    }
}
