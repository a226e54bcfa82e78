package dev.lamina.models;

import dev.lamina.nn.ConvNormActivation;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Hardsigmoid;
import dev.lamina.nn.Hardswish;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MBConv;
import dev.lamina.nn.Module;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.function.Supplier;

/**
 * MobileNetV3-Small (Howard et al.) with torchvision's names and width rounding: {@code features.0} 3×3
 * conv-BN-Hardswish (stride 2; 1 with the small-input stem), {@code features.1}…{@code features.11}
 * {@link MBConv} blocks (squeeze-excitation with Hardsigmoid, ReLU or Hardswish), {@code features.12} 1×1
 * conv-BN-Hardswish, global average pool, {@code classifier} = linear, Hardswish, dropout, linear. BatchNorm eps
 * 1e-3 and momentum 0.01, as torchvision.
 */
public final class MobileNetV3 extends ImageClassifier {
    /** torchvision's small setting: in, kernel, expanded, out, squeeze-excitation, Hardswish (else ReLU), stride. */
    private static final int[][] SMALL = {
        {16, 3, 16, 16, 1, 0, 2}, {16, 3, 72, 24, 0, 0, 2}, {24, 3, 88, 24, 0, 0, 1}, {24, 5, 96, 40, 1, 1, 2},
        {40, 5, 240, 40, 1, 1, 1}, {40, 5, 240, 40, 1, 1, 1}, {40, 5, 120, 48, 1, 1, 1}, {48, 5, 144, 48, 1, 1, 1},
        {48, 5, 288, 96, 1, 1, 2}, {96, 5, 576, 96, 1, 1, 1}, {96, 5, 576, 96, 1, 1, 1},
    };
    private static final double EPS = 1e-3, MOMENTUM = 0.01;
    private final Sequential features;
    private final Sequential classifier;
    private final int inChannels;

    private MobileNetV3(int[][] setting, int lastChannel, VisionConfig c) {
        Rng rng = c.rng();
        inChannels = c.inChannels();
        double w = c.widthMult();
        int first = VisionConfig.divisible(setting[0][0] * w);
        Sequential f = new Sequential(ConvNormActivation.of(c.inChannels(), first, 3, c.smallInput() ? 1 : 2, 1, EPS, MOMENTUM, Hardswish::new, rng));
        int out = first;
        for (int[] s : setting) {
            int in = VisionConfig.divisible(s[0] * w), exp = VisionConfig.divisible(s[2] * w);
            out = VisionConfig.divisible(s[3] * w);
            Supplier<Module> act = s[5] == 1 ? Hardswish::new : ReLU::new;
            int squeeze = s[4] == 1 ? VisionConfig.divisible(exp / 4) : 0;
            f.add(new MBConv(new MBConv.Config(in, exp, out, s[1], s[6], act, squeeze, ReLU::new, Hardsigmoid::new, EPS, MOMENTUM, -1), rng));
        }
        int lastConv = 6 * out;
        f.add(ConvNormActivation.of(out, lastConv, 1, 1, 1, EPS, MOMENTUM, Hardswish::new, rng));
        features = registerModule("features", f);
        int last = VisionConfig.divisible(lastChannel * w);
        classifier = registerModule("classifier", new Sequential(new Linear(lastConv, last, true, rng), new Hardswish(),
                new Dropout(c.dropout(), rng.split()), new Linear(last, c.numClasses(), true, rng)));
    }

    public static MobileNetV3 small(VisionConfig c) {
        return new MobileNetV3(SMALL, 1024, c);
    }

    /** [N, inChannels, H, W] → logits [N, numClasses]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) throw shapeError("[N, " + inChannels + ", H, W]", x);
        return classifier.forward(features.forward(x).mean(new int[] {2, 3}, false));
    }

    @Override
    public String headPath() {
        return "classifier.3";
    }
}
