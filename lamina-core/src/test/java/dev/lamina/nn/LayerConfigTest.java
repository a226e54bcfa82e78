package dev.lamina.nn;

import dev.lamina.autograd.Autograd;
import dev.lamina.models.Bert;
import dev.lamina.models.Gpt2;
import dev.lamina.models.VisionTransformer;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A layer's {@link LayerConfig} is everything it was built from: a layer built from {@code config()} has the same
 * config and class, and with the original's state dict computes exactly the same outputs.
 */
class LayerConfigTest {
    /** Rebuilds {@code layer} from its config, loads its state dict and compares configs and eval outputs on {@code x}. */
    static Module assertRebuilds(Module layer, Tensor x) {
        LayerConfig config = layer.config();
        Module rebuilt = config.build(new Rng(7));
        assertEquals(layer.getClass(), rebuilt.getClass());
        assertEquals(config, rebuilt.config());
        assertEquals(config.hashCode(), rebuilt.config().hashCode());
        rebuilt.loadStateDict(layer.stateDict(), true);
        layer.eval();
        rebuilt.eval();
        try (var scope = Autograd.noGrad()) {
            Tensor want = layer.forward(x), got = rebuilt.forward(x);
            assertArrayEquals(want.shape(), got.shape(), layer.describe());
            assertArrayEquals(want.toArray(), got.toArray(), layer.describe());
        }
        return rebuilt;
    }

    @Test
    void conv2dKeepsStridePaddingDilationGroupsAndSamePadding() {
        Tensor x = Tensor.randn(new Rng(1), 2, 4, 11, 9);
        assertRebuilds(new Conv2d(4, 6, 3, 5, 2, false, new Rng(3)).stride(2, 1).padding(1, 2).dilation(2, 1), x);
        assertRebuilds(new Conv2d(4, 4, 4, 4, true, new Rng(3)).padding("same").dilation(1, 2), x);
        Conv2d.Config same = new Conv2d(4, 4, 4, 4, true, new Rng(3)).padding("same").config();
        assertArrayEquals(new int[] {1, 2, 1, 2}, same.pads(), "same padding puts the odd extra at the bottom/right");
    }

    @Test
    void configsCompareByValueAndSeeEveryHyperParameter() {
        Conv2d.Config a = new Conv2d(3, 8, 3).padding(1).config();
        assertEquals(a, new Conv2d(3, 8, 3).padding(1).config());
        assertNotEquals(a, new Conv2d(3, 8, 3).padding(1).stride(2).config());
        assertNotEquals(a, new Conv2d(3, 8, 3).padding(1).dilation(2).config());
        assertNotEquals(new MultiheadAttention(8, 2).config(), new MultiheadAttention(8, 4).config());
    }

    @Test
    void aBadConfigFailsLikeTheConstructor() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Conv2d.Config(4, 6, 3, 3, 0, 1, 0, 0, false, 1, 1, 1, true).build(new Rng(1)));
        assertTrue(e.getMessage().contains("stride"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention.Config(10, 3, 0, true, 10, 10, true).build(new Rng(1)));
    }

    @Test
    void attentionPackedAndSeparateProjectionsBiasAndLayout() {
        Tensor x = Tensor.randn(new Rng(2), 2, 5, 8);
        assertRebuilds(new MultiheadAttention(8, 2, 0.1, false, true, new Rng(4)), x);
        MultiheadAttention separate = new MultiheadAttention(8, 4, 0.0, true, 6, 5, false, new Rng(4));
        Module rebuilt = separate.config().build(new Rng(9));
        assertEquals(separate.config(), rebuilt.config());
        assertTrue(!separate.config().packedProjection() && new MultiheadAttention(8, 2).config().packedProjection());
        assertEquals(separate.stateDict().keySet(), rebuilt.stateDict().keySet(), "separate q/k/v projections come back");
    }

    @Test
    void encoderLayersAndPositionalEncodings() {
        Tensor x = Tensor.randn(new Rng(5), 2, 6, 8);
        assertRebuilds(new TransformerEncoderLayer(8, 2, 12, 0.2, "gelu", true, true, new Rng(6)), x);
        assertRebuilds(new TransformerEncoderLayer(8, 4, 16, 0.0, "relu", false, false, new Rng(6)), x);
        assertRebuilds(new LearnedPositionalEncoding(9, 8, true, new Rng(6)), x);
        assertRebuilds(new SinusoidalPositionalEncoding(8, 7, false), x);
    }

    @Test
    void modelConfigsBuildTheirModels() {
        Tensor ids = Tensor.of(new float[] {1, 4, 2, 7, 0, 3}, 2, 3);
        assertRebuilds(new Gpt2(new Gpt2.Config(11, 8, 8, 2, 2), new Rng(1)), ids);
        assertRebuilds(new Bert(new Bert.Config(11, 8, 2, 8, 2, 16, 1), new Rng(1)), ids);
        assertRebuilds(new VisionTransformer(new VisionTransformer.Config(8, 4, 3, 1, 2, 8, 16, 5, 0.0), new Rng(1)), Tensor.randn(new Rng(2), 2, 3, 8, 8));
    }

    @Test
    void containersHaveNoConfigAndSaySo() {
        var e = assertThrows(UnsupportedOperationException.class, () -> new Sequential(new ReLU()).config());
        assertTrue(e.getMessage().contains("Sequential"), e.getMessage());
    }
}
