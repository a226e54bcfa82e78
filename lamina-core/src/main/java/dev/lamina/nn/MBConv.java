package dev.lamina.nn;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.function.Supplier;

/**
 * The inverted residual block with squeeze-and-excitation of MobileNetV3 ({@code InvertedResidual}) and
 * EfficientNet ({@code MBConv}), with torchvision's names: {@code block} = [1×1 expansion conv-BN-act (absent
 * when expanded = in)], k×k depthwise conv-BN-act (stride s), [{@link SqueezeExcitation} (absent when
 * seChannels is 0)], 1×1 projection conv-BN; the input is added when the stride is 1 and the widths match,
 * after {@code stochastic_depth} (EfficientNet only) on the branch.
 */
public final class MBConv extends Module {
    /** Everything that shapes one block. sdProb: stochastic-depth probability, or a negative number for none (MobileNetV3). */
    public record Config(int in, int expanded, int out, int kernel, int stride, Supplier<Module> activation, int seChannels,
                         Supplier<Module> seActivation, Supplier<Module> seScale, double bnEps, double bnMomentum, double sdProb) {}

    private final Sequential block;
    private final StochasticDepth stochasticDepth;
    private final boolean residual;

    public MBConv(Config c, Rng rng) {
        if (c.stride() != 1 && c.stride() != 2) throw new IllegalArgumentException("MBConv: stride must be 1 or 2, got " + c.stride());
        Sequential b = new Sequential();
        if (c.expanded() != c.in()) b.add(ConvNormActivation.of(c.in(), c.expanded(), 1, 1, 1, c.bnEps(), c.bnMomentum(), c.activation(), rng));
        b.add(ConvNormActivation.of(c.expanded(), c.expanded(), c.kernel(), c.stride(), c.expanded(), c.bnEps(), c.bnMomentum(), c.activation(), rng));
        if (c.seChannels() > 0) b.add(new SqueezeExcitation(c.expanded(), c.seChannels(), c.seActivation().get(), c.seScale().get(), rng));
        b.add(ConvNormActivation.of(c.expanded(), c.out(), 1, 1, 1, c.bnEps(), c.bnMomentum(), null, rng));
        this.block = registerModule("block", b);
        this.stochasticDepth = c.sdProb() >= 0 ? registerModule("stochastic_depth", new StochasticDepth(c.sdProb(), "row", rng.split())) : null;
        this.residual = c.stride() == 1 && c.in() == c.out();
    }

    /** [N, in, H, W] → [N, out, H/s, W/s]. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = block.forward(x);
        if (!residual) return y;
        return (stochasticDepth == null ? y : stochasticDepth.forward(y)).add(x);
    }
}
