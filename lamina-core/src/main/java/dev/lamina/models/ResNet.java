package dev.lamina.models;

import dev.lamina.nn.BasicBlock;
import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Bottleneck;
import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Linear;
import dev.lamina.nn.MaxPool2d;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * ResNet-18/34/50 (He et al.; ResNet-50 with the stride in the 3×3 conv, v1.5) with torchvision's module and
 * parameter names: {@code conv1}, {@code bn1}, {@code layer1}…{@code layer4} (blocks {@code layerK.i}),
 * {@code fc}; a torchvision state dict loads strictly. The small-input stem ({@link VisionConfig#smallInput})
 * makes {@code conv1} 3×3 stride 1 and drops the max-pool.
 */
public final class ResNet extends ImageClassifier {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool;
    private final Sequential[] stages = new Sequential[4];
    private Linear fc;
    private final int inChannels;

    private ResNet(boolean bottleneck, int[] blocks, VisionConfig c) {
        Rng rng = c.rng();
        int base = (int) Math.round(64 * c.widthMult());
        if (base < 1) throw new IllegalArgumentException("ResNet: widthMult " + c.widthMult() + " leaves no channels (base width " + base + ")");
        inChannels = c.inChannels();
        conv1 = registerModule("conv1", c.smallInput()
                ? new Conv2d(c.inChannels(), base, 3, 1, false, rng).padding(1)
                : new Conv2d(c.inChannels(), base, 7, 1, false, rng).stride(2).padding(3));
        bn1 = registerModule("bn1", new BatchNorm2d(base));
        maxpool = c.smallInput() ? null : new MaxPool2d(3, 2, 1);
        int expansion = bottleneck ? Bottleneck.EXPANSION : BasicBlock.EXPANSION;
        int in = base;
        for (int s = 0; s < 4; s++) {
            int planes = base << s;
            Sequential stage = new Sequential();
            for (int i = 0; i < blocks[s]; i++) {
                int stride = i == 0 && s > 0 ? 2 : 1;
                stage.add(bottleneck ? new Bottleneck(in, planes, stride, rng) : new BasicBlock(in, planes, stride, rng));
                in = planes * expansion;
            }
            stages[s] = registerModule("layer" + (s + 1), stage);
        }
        fc = registerModule("fc", new Linear(in, c.numClasses(), true, rng));
    }

    public static ResNet resnet18(VisionConfig c) {
        return new ResNet(false, new int[] {2, 2, 2, 2}, c);
    }

    public static ResNet resnet34(VisionConfig c) {
        return new ResNet(false, new int[] {3, 4, 6, 3}, c);
    }

    public static ResNet resnet50(VisionConfig c) {
        return new ResNet(true, new int[] {3, 4, 6, 3}, c);
    }

    /** [N, inChannels, H, W] → logits [N, numClasses]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.size(1) != inChannels) throw shapeError("[N, " + inChannels + ", H, W]", x);
        Tensor y = bn1.forward(conv1.forward(x)).relu();
        if (maxpool != null) y = maxpool.forward(y);
        for (Sequential stage : stages) y = stage.forward(y);
        return fc.forward(y.mean(new int[] {2, 3}, false));
    }

    @Override
    public String headPath() {
        return "fc";
    }

    @Override
    protected void childReplaced(String name, Module old, Module replacement) {
        if (!name.equals("fc") || !(replacement instanceof Linear l)) super.childReplaced(name, old, replacement);
        else fc = l;
    }
}
