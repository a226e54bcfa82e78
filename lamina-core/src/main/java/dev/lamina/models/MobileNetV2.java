package dev.lamina.models;

import dev.lamina.nn.ConvNormActivation;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.InvertedResidual;
import dev.lamina.nn.Linear;
import dev.lamina.nn.ReLU6;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * MobileNetV2 (Sandler et al.) with torchvision's names and width rounding: {@code features.0} conv-BN-ReLU6
 * (stride 2; 1 with the small-input stem), {@code features.1}…{@code features.17} {@link InvertedResidual}
 * blocks, {@code features.18} 1×1 conv-BN-ReLU6 to 1280·max(1, widthMult) channels, global average pool,
 * {@code classifier} = dropout, linear.
 */
public final class MobileNetV2 extends ImageClassifier {
    /** torchvision's {@code inverted_residual_setting}: expansion t, channels c, repeats n, first stride s. */
    private static final int[][] SETTING = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    private final Sequential features;
    private final Sequential classifier;
    private final int inChannels;

    public MobileNetV2(VisionConfig c) {
        Rng rng = c.rng();
        inChannels = c.inChannels();
        int in = VisionConfig.divisible(32 * c.widthMult());
        int last = VisionConfig.divisible(1280 * Math.max(1.0, c.widthMult()));
        Sequential f = new Sequential(ConvNormActivation.of(c.inChannels(), in, 3, c.smallInput() ? 1 : 2, 1, ReLU6::new, rng));
        for (int[] s : SETTING) {
            int out = VisionConfig.divisible(s[1] * c.widthMult());
            for (int i = 0; i < s[2]; i++) {
                f.add(new InvertedResidual(in, out, i == 0 ? s[3] : 1, s[0], rng));
                in = out;
            }
        }
        f.add(ConvNormActivation.of(in, last, 1, 1, 1, ReLU6::new, rng));
        features = registerModule("features", f);
        classifier = registerModule("classifier", new Sequential(new Dropout(c.dropout(), rng.split()), new Linear(last, c.numClasses(), true, rng)));
    }

    /** [N, inChannels, H, W] → logits [N, numClasses]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) throw shapeError("[N, " + inChannels + ", H, W]", x);
        return classifier.forward(features.forward(x).mean(new int[] {2, 3}, false));
    }

    @Override
    public String headPath() {
        return "classifier.1";
    }
}
