package dev.lamina.models;

import dev.lamina.nn.ConvNormActivation;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MBConv;
import dev.lamina.nn.SiLU;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.Sigmoid;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * EfficientNet-B0 (Tan &amp; Le) with torchvision's names and width rounding: {@code features.0} 3×3 conv-BN-SiLU
 * (stride 2; 1 with the small-input stem), {@code features.1}…{@code features.7} stages of {@link MBConv} blocks
 * ({@code features.S.i}; squeeze-excitation with SiLU and Sigmoid, stochastic depth growing linearly to
 * {@link VisionConfig#stochasticDepth} over the blocks), {@code features.8} 1×1 conv-BN-SiLU to 4× the last
 * width, global average pool, {@code classifier} = dropout, linear.
 */
public final class EfficientNet extends ImageClassifier {
    /** torchvision's B0 setting: expansion, kernel, stride, in, out, layers. */
    private static final int[][] B0 = {{1, 3, 1, 32, 16, 1}, {6, 3, 2, 16, 24, 2}, {6, 5, 2, 24, 40, 2}, {6, 3, 2, 40, 80, 3},
        {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4}, {6, 3, 1, 192, 320, 1}};
    private final Sequential features;
    private final Sequential classifier;
    private final int inChannels;

    private EfficientNet(int[][] setting, VisionConfig c) {
        Rng rng = c.rng();
        inChannels = c.inChannels();
        double w = c.widthMult();
        int first = VisionConfig.divisible(setting[0][3] * w);
        Sequential f = new Sequential(ConvNormActivation.of(c.inChannels(), first, 3, c.smallInput() ? 1 : 2, 1, SiLU::new, rng));
        int total = 0;
        for (int[] s : setting) total += s[5];
        int blockId = 0;
        int out = first;
        for (int[] s : setting) {
            Sequential stage = new Sequential();
            int in = VisionConfig.divisible(s[3] * w);
            out = VisionConfig.divisible(s[4] * w);
            for (int i = 0; i < s[5]; i++) {
                int blockIn = i == 0 ? in : out;
                int expanded = VisionConfig.divisible((double) blockIn * s[0]);
                double sd = c.stochasticDepth() * blockId / total;
                stage.add(new MBConv(new MBConv.Config(blockIn, expanded, out, s[1], i == 0 ? s[2] : 1, SiLU::new, Math.max(1, blockIn / 4),
                        SiLU::new, Sigmoid::new, 1e-5, 0.1, sd), rng));
                blockId++;
            }
            f.add(stage);
        }
        int lastConv = 4 * out;
        f.add(ConvNormActivation.of(out, lastConv, 1, 1, 1, SiLU::new, rng));
        features = registerModule("features", f);
        classifier = registerModule("classifier", new Sequential(new Dropout(c.dropout(), rng.split()), new Linear(lastConv, c.numClasses(), true, rng)));
    }

    public static EfficientNet b0(VisionConfig c) {
        return new EfficientNet(B0, c);
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
