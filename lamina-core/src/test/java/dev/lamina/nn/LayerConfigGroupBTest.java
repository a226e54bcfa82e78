package dev.lamina.nn;

import dev.lamina.nn.functional.UpsampleOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The config records of the structural, activation, recurrent, upsampling and dropout layers: a layer rebuilt from
 * its config (from another generator) has an equal config and the same class, and with the original's state dict
 * copied in it computes exactly what the original does.
 */
class LayerConfigGroupBTest {
    private static Tensor randn(int... shape) {
        return Tensor.randn(new Rng(3), shape);
    }

    /** Rebuilds {@code layer} from its config and checks config, class and (after copying the state) the forward. */
    private static Module roundTrip(Module layer, Tensor input) {
        LayerConfig config = layer.config();
        Module rebuilt = config.build(new Rng(7));
        String what = layer.getClass().getSimpleName() + " " + config;
        assertEquals(config, rebuilt.config(), what);
        assertEquals(config.hashCode(), rebuilt.config().hashCode(), what);
        assertEquals(layer.getClass(), rebuilt.getClass(), what);
        assertEquals(layer.stateDict().keySet(), rebuilt.stateDict().keySet(), what);
        rebuilt.loadStateDict(layer.stateDict(), true);
        layer.eval();
        rebuilt.eval();
        Tensor expected = layer.forward(input), actual = rebuilt.forward(input);
        assertArrayEquals(expected.shape(), actual.shape(), what);
        assertArrayEquals(expected.toArray(), actual.toArray(), 0f, what);
        return rebuilt;
    }

    /** For a layer with parameters: the fresh rebuild differs before the state is copied, so the forward check can fail. */
    private static void parametersMatter(Module layer, Tensor input) {
        Module fresh = layer.config().build(new Rng(7));
        layer.eval();
        fresh.eval();
        assertFalse(java.util.Arrays.equals(layer.forward(input).toArray(), fresh.forward(input).toArray()), layer.describe());
    }

    @Test
    void parameterlessLayers() {
        Tensor x = randn(2, 3, 4);
        for (Module m : List.of(new ReLU(), new Sigmoid(), new Tanh(), new SiLU(), new ReLU6(), new Hardswish(), new Hardsigmoid(), new LastStep())) {
            roundTrip(m, x.mul(4f));
        }
        assertEquals(new ReLU.Config(), new ReLU().config());
        assertNotEquals(new ReLU().config(), new ReLU6().config());
    }

    @Test
    void activationsWithHyperParameters() {
        Tensor x = randn(2, 3, 4).mul(3f);
        roundTrip(new LeakyReLU(0.2), x);
        roundTrip(new ELU(0.5), x);
        roundTrip(new GELU(true), x);
        roundTrip(new GELU(false), x);
        roundTrip(new Softmax(1), x);
        roundTrip(new LogSoftmax(0), x);
        assertEquals(new GELU.Config(true), new GELU(true).config());
        assertNotEquals(new GELU(true).config(), new GELU().config());
        assertNotEquals(new Softmax(1).config(), new Softmax().config());
        // a slope given as a double is kept at the layer's float precision, so a user's config round-trips too
        LeakyReLU.Config slope = new LeakyReLU.Config(0.1);
        assertEquals(slope, slope.build(new Rng(1)).config());
        assertEquals(new ELU.Config(0.3), new ELU(0.3).config());
    }

    @Test
    void structuralLayers() {
        roundTrip(new Input(-1, 3), randn(2, 5, 3));
        roundTrip(new Reshape(4, -1), randn(2, 8));
        roundTrip(new Flatten(1, 2), randn(2, 3, 4, 5));
        roundTrip(new Flatten(), randn(2, 3, 4));
        assertEquals(new Input.Config(LayerConfig.list(-1, 3)), new Input(-1, 3).config());
        assertNotEquals(new Flatten().config(), new Flatten(1, 2).config());
        assertThrows(UnsupportedOperationException.class, () -> new Reshape(4, -1).config().shape().add(1));
        java.util.ArrayList<Integer> mutable = new java.util.ArrayList<>(List.of(2, 3));
        Reshape.Config c = new Reshape.Config(mutable);
        mutable.set(0, 6);
        assertEquals(List.of(2, 3), c.shape(), "the record keeps its own copy");
    }

    @Test
    void linearWithAndWithoutBias() {
        Linear noBias = new Linear(4, 3, false, new Rng(1));
        roundTrip(noBias, randn(2, 4));
        parametersMatter(noBias, randn(2, 4));
        Linear biased = new Linear(4, 3, true, new Rng(2));
        roundTrip(biased, randn(2, 5, 4));
        assertEquals(new Linear.Config(4, 3, false), noBias.config());
        assertNotEquals(noBias.config(), biased.config());
        assertThrows(IllegalArgumentException.class, () -> new Linear.Config(0, 3, true).build(new Rng(1)));
    }

    @Test
    void embeddingWithPaddingIndex() {
        Tensor ids = Tensor.ofLongs(new long[] {0, 8, 3, 9, 8, 1}, 2, 3);
        Embedding padded = new Embedding(10, 4, -2, new Rng(1));
        Module rebuilt = roundTrip(padded, ids);
        parametersMatter(padded, ids);
        assertEquals(new Embedding.Config(10, 4, 8), padded.config());
        assertEquals(8, ((Embedding) rebuilt).paddingIdx());
        // a negative index in a user's config resolves as the layer resolves it
        assertEquals(new Embedding.Config(10, 4, -2), padded.config());
        roundTrip(new Embedding(10, 4, null, new Rng(2)), ids);
        assertNull(new Embedding(10, 4).config().paddingIdx());
        assertThrows(IllegalArgumentException.class, () -> new Embedding.Config(10, 4, 10).build(new Rng(1)));
    }

    @Test
    void lstmTwoLayersBidirectionalBatchFirstWithoutBias() {
        LSTM lstm = new LSTM(3, 4, 2, false, true, new Rng(1)).batchFirst(true).dropout(0.25, new Rng(5));
        Module rebuilt = roundTrip(lstm, randn(2, 5, 3));
        parametersMatter(lstm, randn(2, 5, 3));
        assertEquals(new LSTM.Config(3, 4, 2, false, true, true, 0.25), lstm.config());
        assertTrue(((LSTM) rebuilt).isBatchFirst());
        assertTrue(rebuilt.namedRngs().containsKey("dropout_rng"));
        roundTrip(new LSTM(3, 4, 1, true, false, new Rng(2)), randn(5, 2, 3));
        assertNotEquals(new LSTM(3, 4).config(), new LSTM(3, 4).batchFirst(true).config());
    }

    @Test
    void gruTwoLayersBidirectionalBatchFirst() {
        GRU gru = new GRU(3, 4, 2, true, true, new Rng(1)).batchFirst(true);
        roundTrip(gru, randn(2, 5, 3));
        parametersMatter(gru, randn(2, 5, 3));
        GRU plain = new GRU(3, 4, 1, false, false, new Rng(2));
        roundTrip(plain, randn(5, 2, 3));
        assertNotEquals(plain.config(), new GRU(3, 4, 1, true, false, new Rng(2)).config());
        // same sizes, another kind: not equal, and each config builds its own subclass
        RNNBase.Config g = new GRU(3, 4).config(), l = new LSTM(3, 4).config();
        assertNotEquals(g, l);
        assertInstanceOf(GRU.class, g.build(new Rng(1)));
        assertInstanceOf(LSTM.class, l.build(new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> new GRU.Config(3, 4, 1, true, false, false, 1.5).build(new Rng(1)));
    }

    @Test
    void upsampleByScaleFactorAndBySize() {
        Upsample bilinear = Upsample.scale(2.0, "bilinear", true);
        roundTrip(bilinear, randn(1, 2, 3, 4));
        Upsample perDim = new Upsample(null, new double[] {2, 0.5}, "nearest", null);
        roundTrip(perDim, randn(1, 2, 3, 4));
        Upsample linearSize = Upsample.size(new int[] {7}, "linear", false);
        roundTrip(linearSize, randn(1, 2, 3));
        Upsample sized = Upsample.size(6, 5);
        roundTrip(sized, randn(1, 2, 3, 4));
        assertEquals(new Upsample.Config(null, List.of(2.0), UpsampleOp.Mode.BILINEAR, true), bilinear.config());
        assertEquals(new Upsample.Config(List.of(6, 5), null, UpsampleOp.Mode.NEAREST, null), sized.config());
        assertNotEquals(Upsample.scale(2.0).config(), Upsample.size(2).config());
        assertNotEquals(linearSize.config(), Upsample.size(new int[] {7}, "linear", null).config());
        assertThrows(IllegalArgumentException.class, () -> new Upsample.Config(List.of(2), List.of(2.0), UpsampleOp.Mode.NEAREST, null).build(new Rng(1)));
    }

    @Test
    void dropoutsAndStochasticDepth() {
        Tensor x = randn(2, 3, 4, 5);
        roundTrip(new Dropout(0.3, new Rng(1)), x);
        roundTrip(new Dropout2d(0.4, new Rng(1)), x);
        roundTrip(new StochasticDepth(0.3, "batch", new Rng(1)), x);
        roundTrip(new StochasticDepth(0.2, "row", new Rng(1)), x);
        assertNotEquals(new Dropout(0.3).config(), new Dropout(0.4).config());
        assertNotEquals(new StochasticDepth(0.3, "batch", new Rng(1)).config(), new StochasticDepth(0.3, "row", new Rng(1)).config());
        Dropout.Config p = new Dropout.Config(0.1);
        assertEquals(p, p.build(new Rng(1)).config(), "p at float precision round-trips");
        assertThrows(IllegalArgumentException.class, () -> new Dropout2d.Config(1.5).build(new Rng(1)));
        assertThrows(IllegalArgumentException.class, () -> new StochasticDepth.Config(0.1, "column").build(new Rng(1)));
    }

    @Test
    void dropoutBuildsItsOwnGeneratorSplitFromTheGivenOne() {
        Rng given = new Rng(7);
        Dropout d = new Dropout.Config(0.5).build(given);
        assertEquals(new Rng(7).split().state().counter(), d.namedRngs().get("rng").state().counter(), "the layer's generator is rng.split()");
        Rng afterOneSplit = new Rng(7);
        afterOneSplit.split();
        assertEquals(afterOneSplit.state(), given.state(), "building draws once from the given generator");
        // same generator state, same masks in training mode
        Tensor x = Tensor.ones(4, 64);
        Tensor a = new Dropout.Config(0.5).build(new Rng(7)).train().forward(x), b = new Dropout.Config(0.5).build(new Rng(7)).train().forward(x);
        assertArrayEquals(a.toArray(), b.toArray());
    }
}
