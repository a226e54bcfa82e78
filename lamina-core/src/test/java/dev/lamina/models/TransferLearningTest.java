package dev.lamina.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.nn.BatchNorm2d;
import dev.lamina.nn.Freezing;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Freezing by name or prefix, BatchNorm held in evaluation mode, and head replacement, with their errors. */
class TransferLearningTest {
    private static ResNet tiny() {
        return ResNet.resnet18(new VisionConfig(4, 1, true, 4 / 64.0, 0, 0, new Rng(3)));
    }

    @Test
    void aPrefixMatchesWholeNamePartsOnly() {
        Sequential net = new Sequential();
        for (int i = 0; i < 11; i++) net.add(new Linear(2, 2, true, new Rng(i)));
        assertEquals(List.of("1.weight", "1.bias"), Freezing.freeze(net, "1"));
        assertFalse(net.namedParameters().get("1.weight").requiresGrad());
        assertTrue(net.namedParameters().get("10.weight").requiresGrad());
        assertEquals(List.of("1.weight"), Freezing.unfreeze(net, "1.weight"));
        assertTrue(net.namedParameters().get("1.weight").requiresGrad());
    }

    @Test
    void frozenParametersGetNoGradient() {
        ResNet m = tiny();
        List<String> frozen = Freezing.freeze(m, "conv1", "layer1");
        assertTrue(frozen.contains("conv1.weight") && frozen.contains("layer1.1.bn2.bias") && frozen.stream().allMatch(n -> n.startsWith("conv1") || n.startsWith("layer1.")), frozen.toString());
        m.forward(Tensor.randn(new Rng(4), 2, 1, 16, 16)).sum().backward();
        m.namedParameters().forEach((name, p) -> {
            if (frozen.contains(name)) assertNull(p.grad(), name);
            else assertTrue(p.grad() != null, name);
        });
    }

    @Test
    void anUnknownPrefixNamesItAndTheTopLevelModules() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Freezing.freeze(tiny(), "backbone"));
        assertTrue(e.getMessage().contains("'backbone'") && e.getMessage().contains("layer4") && e.getMessage().contains("fc"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Freezing.keepBatchNormEval(tiny(), "fc"));
        assertTrue(none.getMessage().contains("no BatchNorm layer under 'fc'"), none.getMessage());
    }

    @Test
    void batchNormKeptInEvalIgnoresTrainModeAndKeepsItsStatistics() {
        ResNet m = tiny();
        List<String> held = Freezing.keepBatchNormEval(m, "layer1");
        assertTrue(held.contains("layer1.0.bn1") && held.stream().allMatch(p -> p.startsWith("layer1.")), held.toString());
        m.train();
        BatchNorm2d heldBn = (BatchNorm2d) m.children().get("layer1").children().get("0").children().get("bn1");
        BatchNorm2d freeBn = (BatchNorm2d) m.children().get("bn1");
        assertFalse(heldBn.isTraining());
        assertTrue(freeBn.isTraining());
        float[] mean = heldBn.runningMean().toArray().clone();
        m.forward(Tensor.randn(new Rng(5), 2, 1, 16, 16));
        assertArrayEquals(mean, heldBn.runningMean().toArray());
        assertFalse(java.util.Arrays.equals(new float[freeBn.numFeatures()], freeBn.runningMean().toArray()), "the free BatchNorm updates its statistics");
        heldBn.keepEval(false);
        m.train();
        assertTrue(heldBn.isTraining());
    }

    @Test
    void replacingTheHeadChangesTheOutputsAndTheStateDict() {
        ResNet m = tiny();
        Linear old = m.head();
        Linear fresh = m.replaceHead(7, new Rng(6));
        assertNotSame(old, fresh);
        assertEquals(fresh, m.head());
        assertArrayEquals(new int[] {7, 32}, m.stateDict().get("fc.weight").shape());
        assertEquals("fc", fresh.path());
        assertArrayEquals(new int[] {2, 7}, m.forward(Tensor.randn(new Rng(7), 2, 1, 16, 16)).shape());
        Module vit = new VisionTransformer(new VisionTransformer.Config(8, 4, 1, 1, 2, 8, 16, 3, 0), new Rng(1));
        ((VisionTransformer) vit).replaceHead(5, new Rng(2));
        assertArrayEquals(new int[] {5, 8}, vit.stateDict().get("heads.head.weight").shape());
        MobileNetV2 mobile = new MobileNetV2(new VisionConfig(3, 1, true, 0.25, 0, 0, new Rng(1)));
        mobile.replaceHead(6, new Rng(2));
        assertArrayEquals(new int[] {2, 6}, mobile.forward(Tensor.randn(new Rng(3), 2, 1, 16, 16)).shape());
    }

    @Test
    void replacingAnUnknownOrFixedModuleIsRefusedNamingIt() {
        ResNet m = tiny();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> m.replaceModule("layer9.0", new Linear(2, 2)));
        assertTrue(unknown.getMessage().contains("'layer9.0'") && unknown.getMessage().contains("layer4"), unknown.getMessage());
        UnsupportedOperationException fixed = assertThrows(UnsupportedOperationException.class, () -> m.replaceModule("conv1", new Linear(2, 2)));
        assertTrue(fixed.getMessage().contains("'conv1'") && fixed.getMessage().contains("ResNet"), fixed.getMessage());
        Module before = m.replaceModule("layer1.0", new BlockStandIn());
        assertEquals("BasicBlock", before.getClass().getSimpleName());
        assertTrue(m.stateDict().keySet().stream().noneMatch(k -> k.startsWith("layer1.0.")));
        assertArrayEquals(new int[] {2, 4}, m.forward(Tensor.randn(new Rng(8), 2, 1, 16, 16)).shape());
    }

    /** An identity block, to check that a Sequential stage takes a replacement. */
    private static final class BlockStandIn extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }
}
