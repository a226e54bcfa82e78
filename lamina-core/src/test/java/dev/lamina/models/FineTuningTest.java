package dev.lamina.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.Pad;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.nn.Freezing;
import dev.lamina.optim.AdamW;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.Evaluation;
import dev.lamina.train.Trainer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * Transfer learning on the shipped Fashion-MNIST subset, padded to 1×32×32: a ResNet-18 at 1/8 width (base width 8,
 * torchvision's ImageNet stem, one input channel) is trained for two epochs on 2,500 images of classes 0–4 (tops: T-shirt, trouser, pullover, dress, coat), its head replaced
 * by a 5-class one for classes 5–9 (sandal, shirt, sneaker, bag, ankle boot), everything but the head frozen and
 * every BatchNorm kept in evaluation mode; then only the head trains (three epochs on 2,500 images of classes 5–9,
 * AdamW with weight decay, which would move any frozen weight it touched). The frozen weights and running
 * statistics stay bit-identical, the head changes, and it classifies the unseen classes' 971 test images with at
 * least 70% accuracy (measured 76.8%; chance is 20%; the backbone reaches 85.1% on classes 0–4).
 */
class FineTuningTest {
    private static Dataset classes(Dataset d, int from, int to, int limit) {
        float[] t = d.targets().toArray();
        int[] idx = IntStream.range(0, t.length).filter(i -> t[i] >= from && t[i] < to).limit(limit).toArray();
        Dataset s = d.select(idx);
        return new Dataset(s.features(), s.targets().sub(from));
    }

    @Test
    void onlyTheReplacedHeadTrainsAndItLearnsTheUnseenClasses() throws Exception {
        FashionMnist.Split split = FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset"));
        Pad pad = Pad.of(28, 28, 2);
        Dataset train = new Dataset(pad.apply(split.train().features()), split.train().targets());
        Dataset test = new Dataset(pad.apply(split.test().features()), split.test().targets());

        ResNet model = ResNet.resnet18(new VisionConfig(5, 1, false, 8 / 64.0, 0, 0, new Rng(7)));
        Trainer pretrain = new Trainer(model, new CrossEntropyLoss(), new AdamW(model.parameters(), 5e-3));
        pretrain.fit(new DataLoader(classes(train, 0, 5, 2500), 64, true, true, new Rng(8)), 2);

        model.replaceHead(5, new Rng(9));
        List<String> frozen = Freezing.freezeAllBut(model, "fc");
        Freezing.keepBatchNormEval(model, "");
        assertEquals(List.of("fc.weight", "fc.bias"), Freezing.trainable(model));
        assertEquals(model.namedParameters().size() - 2, frozen.size());
        Map<String, float[]> before = snapshot(model);

        Trainer finetune = new Trainer(model, new CrossEntropyLoss(), new AdamW(model.parameters(), 5e-2));
        finetune.fit(new DataLoader(classes(train, 5, 10, 2500), 64, true, false, new Rng(10)), 3);

        Map<String, float[]> after = snapshot(model);
        before.forEach((name, values) -> {
            if (name.startsWith("fc.")) assertFalse(java.util.Arrays.equals(values, after.get(name)), name + " did not train");
            else assertArrayEquals(values, after.get(name), name + " changed although frozen");
        });
        Evaluation unseen = finetune.evaluate(classes(test, 5, 10, Integer.MAX_VALUE));
        assertTrue(unseen.accuracy() >= 0.70, "accuracy on classes 5-9 after training only the head: " + unseen.accuracy());
    }

    private static Map<String, float[]> snapshot(ResNet model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> out.put(k, t.contiguous().toArray().clone()));
        return out;
    }
}
