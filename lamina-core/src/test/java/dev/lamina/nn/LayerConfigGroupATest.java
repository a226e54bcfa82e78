package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolutions, pooling and normalisation layers: {@code config().build(rng)} makes a layer of the same class with
 * an equal config, and with the original's state dict it computes exactly what the original does.
 */
class LayerConfigGroupATest {

    private static Arguments layer(String name, Module m, int... inputShape) {
        return Arguments.of(name, m, inputShape);
    }

    static Stream<Arguments> layers() {
        Rng r = new Rng(1);
        return Stream.of(
                layer("Conv1d", new Conv1d(4, 6, 3, 2, false, r).stride(2).padding(1).dilation(2), 2, 4, 11),
                layer("Conv1d same", new Conv1d(4, 6, 4, 1, true, r).dilation(2).padding(3).padding("same"), 2, 4, 9),
                layer("Conv2d same", new Conv2d(4, 6, 3, 2, 2, true, r).dilation(2, 1).padding(2).padding("same"), 2, 4, 7, 6),
                layer("ConvTranspose1d", new ConvTranspose1d(4, 6, 3, 2, false, r).stride(2).padding(1).outputPadding(1).dilation(2), 2, 4, 7),
                layer("ConvTranspose2d", new ConvTranspose2d(4, 6, 3, 2, 2, true, r).stride(2, 1).padding(1, 0).outputPadding(1, 0).dilation(1, 2), 2, 4, 5, 6),
                layer("MaxPool1d", new MaxPool1d(3, 2, 1, 2, true), 2, 3, 12),
                layer("MaxPool2d", new MaxPool2d(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, true), 2, 3, 9, 8),
                layer("AvgPool1d", new AvgPool1d(3, 2, 1, true, false), 2, 3, 12),
                layer("AvgPool2d", new AvgPool2d(new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}, true, false), 2, 3, 9, 8),
                layer("AdaptiveAvgPool1d", new AdaptiveAvgPool1d(3), 2, 3, 10),
                layer("AdaptiveAvgPool2d", new AdaptiveAvgPool2d(3, 2), 2, 3, 7, 5),
                layer("AdaptiveMaxPool1d", new AdaptiveMaxPool1d(4), 2, 3, 10),
                layer("AdaptiveMaxPool2d", new AdaptiveMaxPool2d(2, 3), 2, 3, 7, 5),
                layer("GlobalAvgPool", new GlobalAvgPool(true), 2, 3, 4, 5),
                layer("GlobalMaxPool", new GlobalMaxPool(true), 2, 3, 4, 5),
                layer("BatchNorm1d", new BatchNorm1d(5, 1e-3, null, true, true), 4, 5, 3),
                layer("BatchNorm1d no stats", new BatchNorm1d(5, 1e-2, 0.2, true, false), 4, 5),
                layer("BatchNorm2d", new BatchNorm2d(5, 1e-4, 0.3, false, true), 2, 5, 3, 3),
                layer("LayerNorm", new LayerNorm(new int[] {3, 4}, 1e-3, true, false), 2, 3, 4),
                layer("LayerNorm no affine", new LayerNorm(new int[] {4}, 1e-2, false, true), 2, 3, 4),
                layer("InstanceNorm1d", new InstanceNorm1d(4, 1e-3, true), 2, 4, 6),
                layer("InstanceNorm2d", new InstanceNorm2d(4, 1e-4, true), 2, 4, 3, 5),
                layer("GroupNorm", new GroupNorm(3, 6, 1e-3, true), 2, 6, 4),
                layer("GroupNorm no affine", new GroupNorm(2, 6, 1e-2, false), 2, 6, 2, 3),
                layer("RMSNorm", new RMSNorm(new int[] {2, 4}, null, true), 3, 2, 4),
                layer("RMSNorm no affine", new RMSNorm(new int[] {4}, 1e-3, false), 3, 4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void rebuildsFromItsConfig(String name, Module original, int[] inputShape) {
        randomiseState(original, new Rng(3));
        LayerConfig config = original.config();

        Module rebuilt = config.build(new Rng(7));
        assertSame(original.getClass(), rebuilt.getClass(), name + ": class");
        assertEquals(config, rebuilt.config(), name + ": config");
        assertEquals(config.hashCode(), rebuilt.config().hashCode(), name + ": hash");

        rebuilt.loadStateDict(copyOf(original.stateDict()), true);
        original.eval();
        rebuilt.eval();
        Tensor x = Tensor.randn(new Rng(11), inputShape);
        assertArrayEquals(original.forward(x).toArray(), rebuilt.forward(x).toArray(), name + ": forward");
    }

    @Test
    void configsCompareByValueAndAreImmutable() {
        assertEquals(new Conv1d(2, 4, 3).stride(2).config(), new Conv1d(2, 4, 3).stride(2).config());
        assertNotEquals(new Conv1d(2, 4, 3).stride(2).config(), new Conv1d(2, 4, 3).config());
        assertNotEquals(new BatchNorm1d(3).config(), new BatchNorm2d(3).config());
        assertNotEquals(new InstanceNorm1d(3).config(), new InstanceNorm2d(3).config());

        List<Integer> shape = new ArrayList<>(List.of(3, 4));
        LayerNorm.Config c = new LayerNorm.Config(shape, 1e-5, true, true);
        shape.set(0, 9);
        assertEquals(List.of(3, 4), c.normalizedShape(), "the record copies its list");
        assertThrows(UnsupportedOperationException.class, () -> c.normalizedShape().set(0, 9));
        assertEquals(new LayerNorm(3, 4).config(), c);
        assertThrows(UnsupportedOperationException.class, () -> new RMSNorm(5).config().normalizedShape().add(1));
    }

    @Test
    void configsAreCanonical() {
        // what the layer ignores does not make two configs differ
        assertEquals(new MaxPool1d.Config(3, 3, 0, 1, false), new MaxPool1d.Config(3, 0, 0, 1, false));
        assertEquals(new MaxPool1d(3).config(), new MaxPool1d.Config(3, -1, 0, 1, false).build(new Rng(1)).config());
        assertEquals(new AvgPool1d(4).config(), new AvgPool1d.Config(4, 0, 0, false, true));
        assertEquals(new Conv1d.Config(2, 2, 3, 1, 0, true, 1, 1, true), new Conv1d.Config(2, 2, 3, 1, 5, true, 1, 1, true));
        assertEquals(new LayerNorm.Config(List.of(4), 1e-5, false, false), new LayerNorm.Config(List.of(4), 1e-5, false, true));
        assertEquals(new RMSNorm(4).config(), new RMSNorm.Config(List.of(4), new RMSNorm(4).eps(), true).build(new Rng(1)).config());
        assertTrue(new Conv1d(2, 2, 3).padding("same").config().samePadding());
        assertArrayEquals(new int[] {1, 2}, new Conv1d(2, 2, 4).padding("same").config().pads());
    }

    @Test
    void aBadConfigFailsAsTheConstructorDoes() {
        IllegalArgumentException fromConfig = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d.Config(3, 3, 1, 1, 2, 2, 1, 1, false).build(new Rng(1)));
        IllegalArgumentException fromCtor = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool2d(new int[] {3}, new int[] {1}, new int[] {2}, null, false));
        assertEquals(fromCtor.getMessage(), fromConfig.getMessage());
        assertTrue(fromConfig.getMessage().contains("padding"), fromConfig.getMessage());

        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class,
                () -> new ConvTranspose2d.Config(4, 6, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 4, true).build(new Rng(1)));
        assertTrue(groups.getMessage().contains("groups must divide"), groups.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv1d.Config(2, 2, 3, 2, 0, true, 1, 1, true).build(new Rng(1)),
                "\"same\" needs stride 1");
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm.Config(4, 6, 1e-5, true).build(new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d.Config(3, 1e-5, 2.0, true, true).build(new Rng(1)));
    }

    /** Every parameter and buffer of {@code m} set to random values (positive, so running variances stay valid). */
    private static void randomiseState(Module m, Rng rng) {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> sd.put(k, v.dim() == 0 ? Tensor.scalar(3f) : Tensor.uniform(rng, 0.5, 1.5, v.shape())));
        m.loadStateDict(sd, true);
    }

    private static Map<String, Tensor> copyOf(Map<String, Tensor> sd) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        sd.forEach((k, v) -> out.put(k, Tensor.of(v.toArray(), v.shape())));
        return out;
    }
}
