package dev.lamina.explain;

import dev.lamina.data.Dataset;
import dev.lamina.data.FashionMnist;
import dev.lamina.data.TextCorpus;
import dev.lamina.models.CharLstm;
import dev.lamina.models.CharTransformer;
import dev.lamina.models.Models;
import dev.lamina.nn.*;
import dev.lamina.nn.Module;
import dev.lamina.optim.SGD;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import dev.lamina.io.JsonTree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer cards (words, shapes, costs, receptive fields), measured statistics, pictures and the reports. */
class ExplainerCardsTest {
    static Dataset images(int n) throws Exception {
        return FashionMnist.load(Path.of("..", "data", "fashion-mnist-subset")).test().head(n);
    }

    @Test
    void cnnCardsDescribeTheActualConfigurationAndCosts() throws Exception {
        Sequential cnn = Models.cnn(new Rng(1));
        Explanation e = Explainer.of(cnn).on(images(8).features());
        assertEquals(cnn.size(), e.layers().size());
        LayerCard conv1 = e.card("2"), conv2 = e.card("6");
        assertEquals("3x3 convolution, 1 -> 32 channels, stride 1, padding 1: looks for 32 local patterns in each 3x3 window", conv1.description());
        assertTrue(conv2.description().startsWith("3x3 convolution, 32 -> 64 channels, stride 1"), conv2.description());
        assertArrayEquals(new int[] {8, 1, 28, 28}, conv1.inputShape());
        assertArrayEquals(new int[] {8, 32, 28, 28}, conv1.outputShape());
        assertEquals(320, conv1.parameters());
        assertEquals(28L * 28 * 32 * 9, conv1.macsPerExample());
        assertEquals(14L * 14 * 64 * 32 * 9, conv2.macsPerExample());
        assertEquals(3136L * 128, e.card("12").macsPerExample());
        assertEquals(4L * 32 * 28 * 28, conv1.activationBytes());
        // receptive field: conv 3 → pool 4 → conv 8 → pool 10 → dense: everything
        assertEquals(3, conv1.receptiveField());
        assertEquals(4, e.card("5").receptiveField());
        assertEquals(8, conv2.receptiveField());
        assertEquals(10, e.card("9").receptiveField());
        assertEquals(LayerCost.WHOLE_INPUT, e.card("12").receptiveField());
        double share = e.layers().stream().mapToDouble(LayerCard::parameterShare).sum();
        assertEquals(1.0, share, 1e-9);
        assertTrue(e.card("9").description().contains("halving height and width"));
        // statistics measured: a ReLU's output is never negative and has zeros
        ActivationStats relu = e.card("4").stats();
        assertEquals(0.0, relu.min());
        assertTrue(relu.zeros() > 0.05 && relu.zeros() < 0.95, "zeros " + relu.zeros());
        assertTrue(Double.isNaN(e.card("2").stats().deadUnits()), "dead units are counted for ReLUs only");
        assertTrue(Double.isNaN(conv1.outputGradNorm()), "no labels, no gradients");
        assertTrue(e.notes().getFirst().startsWith("no labels"), e.notes().toString());
    }

    @Test
    void gradientsAtLayerOutputsMatchAHandComputation() {
        Rng rng = new Rng(2);
        Linear fc = new Linear(3, 2, true, rng);
        Sequential net = new Sequential(fc);
        Tensor x = Tensor.randn(rng, 4, 3);
        Tensor y = Tensor.vector(0, 1, 1, 0);
        Explanation e = Explainer.of(net).labels(y).on(x);
        // d(mean cross-entropy)/d logits = (softmax - onehot) / N
        float[] logits = fc.forward(x).toArray();
        double sq = 0;
        for (int i = 0; i < 4; i++) {
            double a = Math.exp(logits[2 * i]), b = Math.exp(logits[2 * i + 1]);
            double p1 = b / (a + b);
            double g1 = (p1 - y.toArray()[i]) / 4;
            sq += 2 * g1 * g1;
        }
        assertEquals(Math.sqrt(sq), e.card("0").outputGradNorm(), 1e-6);
        assertTrue(e.card("0").weightGradRms() > 0);
        assertTrue(fc.weight().grad() == null || Arrays.equals(new float[6], fc.weight().grad().toArray()), "gradients are cleared afterwards");
    }

    @Test
    void everyLayerTypeIsDescribedFromItsConfiguration() {
        Rng rng = new Rng(3);
        List<Object[]> cases = List.of(
                new Object[] {new Conv1d(4, 8, 5, 1, true, rng), "1-D convolution of width 5, 4 -> 8 channels"},
                new Object[] {new ConvTranspose2d(8, 4, 2, 1, true, rng).stride(2), "2x2 transposed convolution, 8 -> 4 channels, stride 2"},
                new Object[] {new ConvTranspose1d(8, 4, 3, 1, true, rng), "transposed 1-D convolution of width 3, 8 -> 4"},
                new Object[] {new Conv2d(16, 16, 3, 16, true, rng), "(depthwise)"},
                new Object[] {new Linear(784, 256, true, rng), "fully connected, 784 -> 256"},
                new Object[] {new MaxPool2d(3), "3x3 max pooling, stride 3"},
                new Object[] {new AvgPool2d(2), "2x2 average pooling, stride 2"},
                new Object[] {new MaxPool1d(2), "max pooling over 2 steps"},
                new Object[] {new AvgPool1d(4), "average pooling over 4 steps"},
                new Object[] {new AdaptiveAvgPool2d(1), "adaptive average pooling to 1x1"},
                new Object[] {new AdaptiveMaxPool2d(2), "adaptive max pooling"},
                new Object[] {new AdaptiveAvgPool1d(3), "adaptive average pooling to 3 steps"},
                new Object[] {new AdaptiveMaxPool1d(3), "adaptive max pooling to 3 steps"},
                new Object[] {new GlobalAvgPool(), "global average pooling"},
                new Object[] {new GlobalMaxPool(), "global max pooling"},
                new Object[] {new BatchNorm2d(32), "batch normalization of 32"},
                new Object[] {new BatchNorm1d(16), "batch normalization of 16"},
                new Object[] {new LayerNorm(128), "layer normalization over the last [128]"},
                new Object[] {new RMSNorm(64), "RMS normalization over the last [64]"},
                new Object[] {new GroupNorm(4, 32), "32 channels in 4 groups of 8"},
                new Object[] {new InstanceNorm2d(8), "instance normalization of 8 channels"},
                new Object[] {new InstanceNorm1d(8), "instance normalization of 8 channels"},
                new Object[] {new Dropout(0.25), "probability 0.25 (and scales the rest by 1.33)"},
                new Object[] {new Dropout2d(0.1), "zeroes whole channels with probability 0.10"},
                new Object[] {new ReLU(), "ReLU: keeps positive values"},
                new Object[] {new LeakyReLU(0.2), "multiplies negative ones by 0.2"},
                new Object[] {new ELU(1.0), "ELU"},
                new Object[] {new GELU(), "GELU"},
                new Object[] {new SiLU(), "SiLU"},
                new Object[] {new Sigmoid(), "squashes each value into (0, 1)"},
                new Object[] {new Tanh(), "squashes each value into (-1, 1)"},
                new Object[] {new Softmax(1), "softmax over dim 1"},
                new Object[] {new LogSoftmax(1), "log-softmax over dim 1"},
                new Object[] {new Flatten(), "flatten"},
                new Object[] {new Reshape(1, 28, 28), "reads each example's values as [1, 28, 28]"},
                new Object[] {new Input(784), "the input layer: takes examples of shape [784]"},
                new Object[] {new LastStep(), "keeps only the output of the last time step"},
                new Object[] {Upsample.scale(2), "up-sampling (nearest)"},
                new Object[] {new Embedding(63, 64), "vector of 64 numbers for each of 63 token ids"},
                new Object[] {new LearnedPositionalEncoding(64, 32, true, rng), "learned vector per position (64 positions)"},
                new Object[] {new SinusoidalPositionalEncoding(32, 64, true), "sinusoidal positional encoding"},
                new Object[] {new LSTM(28, 128, 2, true, false, rng), "LSTM, 28 -> 128, 2 layers"},
                new Object[] {new GRU(28, 64, 1, true, true, rng), "GRU, 28 -> 64, 1 layer, both directions"},
                new Object[] {new LSTMCell(10, 20), "LSTM cell, 10 -> 20"},
                new Object[] {new GRUCell(10, 20), "GRU cell, 10 -> 20"},
                new Object[] {new MultiheadAttention(128, 4), "multi-head attention, 4 heads of 32 dims over 128 features"},
                new Object[] {new TransformerEncoderLayer(64, 2, 256), "transformer block (post-norm), d_model 64: self-attention with 2 heads"},
                new Object[] {new TransformerEncoder(() -> new TransformerEncoderLayer(32, 2, 64), 3), "3 transformer blocks"},
                new Object[] {new TransformerDecoderLayer(32, 4, 64), "transformer decoder block, d_model 32"},
                new Object[] {new TransformerDecoder(() -> new TransformerDecoderLayer(32, 4, 64), 2), "2 decoder blocks"},
                new Object[] {new Sequential(new ReLU(), new Tanh()), "runs its 2 layers in order"});
        for (Object[] c : cases) {
            String words = LayerWords.describe((Module) c[0], null, null);
            assertTrue(words.contains((String) c[1]), c[0].getClass().getSimpleName() + ": " + words);
            assertFalse(words.contains("a module of its own"), words);
        }
        assertTrue(LayerWords.describe(new CharLstm(10, 8, 16, 1, rng), null, null).contains("a module of its own"));
    }

    @Test
    void nestedContainersShowTheirLayersThenThemselves() {
        Rng rng = new Rng(4);
        Sequential block = new Sequential(new Linear(8, 8, true, rng), new ReLU());
        Sequential net = new Sequential(block, new Linear(8, 2, true, rng));
        Explanation e = Explainer.of(net).labels(Tensor.vector(0, 1)).on(Tensor.randn(rng, 2, 8));
        assertEquals(List.of("0.0", "0.1", "0", "1"), e.layers().stream().map(LayerCard::path).toList());
        assertTrue(e.card("0").container());
        assertEquals(72, e.card("0").parameters());
    }

    @Test
    void lstmGatesAreRecomputedExactlyAndTheLanguageModelsAreTraced() {
        Rng rng = new Rng(5);
        String text = "In the beginning God created the heaven and the earth.";
        TextCorpus.Vocabulary vocab = TextCorpus.Vocabulary.of(text);
        int[] ids = vocab.encode(text.substring(0, 16));
        float[] x = new float[ids.length], y = new float[ids.length];
        for (int i = 0; i < ids.length; i++) x[i] = ids[i];
        int[] next = vocab.encode(text.substring(1, 17));
        for (int i = 0; i < next.length; i++) y[i] = next[i];
        String[] tokens = text.substring(0, 16).chars().mapToObj(Character::toString).toArray(String[]::new);

        CharLstm lstm = new CharLstm(vocab.size(), 8, 16, 2, rng);
        Explanation e = Explainer.of(lstm).labels(Tensor.of(y, 1, 16)).tokens(tokens).pictures(0).on(Tensor.of(x, 1, 16));
        assertEquals(List.of("embed", "lstm", "head"), e.layers().stream().map(LayerCard::path).toList());
        RecurrentActivity a = e.recurrent().getFirst();
        assertEquals("LSTM", a.kind());
        Tensor out = ((LSTM) lstm.children().get("lstm")).forward(lstm.children().get("embed").forward(Tensor.of(x, 1, 16)));
        float[] mine = new float[16 * 16];
        for (int t = 0; t < 16; t++) System.arraycopy(a.output()[0][t], 0, mine, t * 16, 16);
        assertArrayEquals(out.toArray(), mine, 1e-5f, "the recomputed hidden states are the LSTM's own");
        assertEquals(2, a.gateSaturation().length);
        assertTrue(e.pictures().stream().anyMatch(p -> p.title().startsWith("Hidden-state activity of lstm")));
        assertTrue(Double.isFinite(e.fit().trainLoss()));
        assertEquals(LayerCost.WHOLE_INPUT, e.card("lstm").receptiveField());

        CharTransformer tf = new CharTransformer(vocab.size(), 32, 16, 2, 32, 2, 0.0, rng);
        Explanation t = Explainer.of(tf).labels(Tensor.of(y, 1, 16)).tokens(tokens).pictures(0).on(Tensor.of(x, 1, 16));
        assertEquals(List.of("embed", "pos", "encoder.layers.0", "encoder.layers.1", "norm", "head"), t.layers().stream().map(LayerCard::path).toList());
        assertEquals(4, t.attention().size(), "2 layers of 2 heads");
        assertTrue(t.attention().stream().allMatch(h -> h.normalizedEntropy() > 0 && h.normalizedEntropy() <= 1.0 + 1e-9));
        assertEquals(4, t.pictures().stream().filter(p -> p.title().startsWith("Attention of")).count());
        assertTrue(t.card("encoder.layers.0").description().startsWith("transformer block (pre-norm), d_model 16: self-attention with 2 heads"));
    }

    @Test
    void gruGatesAreRecomputedExactly() {
        Rng rng = new Rng(15);
        GRU gru = new GRU(6, 10, 2, true, false, rng).batchFirst(true);
        Tensor x = Tensor.randn(rng, 3, 7, 6);
        Explanation e = Explainer.of(new Sequential(gru)).on(x);
        RecurrentActivity a = e.recurrent().getFirst();
        assertEquals("GRU", a.kind());
        assertArrayEquals(new String[] {"reset", "update", "new"}, a.gates());
        float[] mine = new float[3 * 7 * 10];
        for (int n = 0; n < 3; n++) for (int t = 0; t < 7; t++) System.arraycopy(a.output()[n][t], 0, mine, (n * 7 + t) * 10, 10);
        assertArrayEquals(gru.forward(x).toArray(), mine, 1e-5f, "the recomputed top-layer hidden states are the GRU's own");
        assertEquals(2, a.gateSaturation().length);
        assertTrue(e.text().contains("0 (GRU) gates saturated: layer 0 reset"), e.text());
    }

    @Test
    void picturesAreRealPngsAndTheHtmlIsSelfContained(@TempDir Path dir) throws Exception {
        Sequential cnn = Models.cnn(new Rng(6));
        Explanation e = Explainer.of(cnn).pictures(3).optimizer(new SGD(cnn.parameters(), 0.01)).labels(images(16).targets()).title("cnn on 16 test images").on(images(16).features());
        List<String> titles = e.pictures().stream().map(Picture::title).toList();
        assertEquals(List.of("First-layer filters: 2 (Conv2d)", "Feature maps of example 3: 2 (Conv2d)", "Feature maps of example 3: 6 (Conv2d)",
                "Examples that most activate each channel: 6 (Conv2d)", "Input-gradient saliency of example 3"), titles);
        BufferedImage filters = ImageIO.read(new ByteArrayInputStream(e.pictures().getFirst().png()));
        assertNotNull(filters);
        int tile = 3 * 13 + 2;   // 3x3 filters drawn 13 pixels a value, 2 pixels apart; 8 per row, 4 rows for 32
        assertEquals(8 * tile + 2, filters.getWidth());
        assertEquals(4 * tile + 2, filters.getHeight());
        for (Picture p : e.pictures()) assertNotNull(ImageIO.read(new ByteArrayInputStream(p.png())), p.title());

        Path file = e.writeInto(dir);
        assertEquals(dir.resolve("explain.html"), file);
        Map<?, ?> json = (Map<?, ?>) JsonTree.parse(Files.readString(dir.resolve("explain.json")), "explain.json");
        assertEquals("cnn on 16 test images", json.get("title"));
        assertEquals(e.layers().size(), ((List<?>) json.get("layers")).size());
        assertEquals(5, ((List<?>) json.get("pictures")).size());
        assertEquals(null, ((Map<?, ?>) ((List<?>) json.get("layers")).get(0)).get("output_gradient_norm"), "not measured: null (the Input's output has no gradient)");
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertEquals(5, html.split("src=\"data:image/png;base64,", -1).length - 1);
        assertFalse(html.contains("src=\"http"), "nothing loaded from elsewhere");
        assertFalse(html.contains("<script src"), "no external scripts");
        assertFalse(html.contains("<link"), "no external style sheets");
        assertTrue(html.contains("3x3 convolution, 1 -&gt; 32 channels"));
        assertTrue(html.contains("Gradient flow through depth"));
        assertTrue(e.text().contains("2 (Conv2d)\n  3x3 convolution, 1 -> 32 channels"));
    }

    @Test
    void badRequestsSayWhatIsWrong() throws Exception {
        Sequential net = Models.mlp(new Rng(7));
        Dataset b = images(4);
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class, () -> Explainer.of(net).pictures(4).on(b));
        assertEquals("explain: picture example 4 is outside the batch of 4 examples (valid: 0..3)", outside.getMessage());
        assertEquals("picture example index must be >= 0, got -1", assertThrows(IllegalArgumentException.class, () -> Explainer.of(net).pictures(-1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Explainer.of(net).validation(b).on(b.features())).getMessage().contains("needs its labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Explainer.of(net).optimizer(new SGD(net.parameters(), 0.1)).on(b.features())).getMessage().contains("needs its labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Explainer.of(net).on(Tensor.zeros(0, 784))).getMessage().contains("at least one example"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Explainer.of(net).validation(b.features(), null).labels(b.targets()).on(b.features())).getMessage().contains("both features and targets"));
        assertEquals("x: filters need a convolution weight [out, in, kh, kw], got [3, 4]", assertThrows(IllegalArgumentException.class, () -> Picture.filters("x", Tensor.zeros(3, 4))).getMessage());
        assertEquals("x: example 2 is outside the batch of 2", assertThrows(IllegalArgumentException.class, () -> Picture.featureMaps("x", Tensor.zeros(2, 1, 3, 3), 2)).getMessage());
        assertNotNull(ImageIO.read(new ByteArrayInputStream(Picture.featureMaps("x", Tensor.rand(new Rng(1), 2, 3, 5, 5), 1).png())));
        Explanation e = Explainer.of(net).on(b);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.card("9")).getMessage().startsWith("no layer at path '9'; the layers: [0, 1, 2, 3, 4, 5]"));
        assertTrue(net.isTraining(), "the model's mode is restored");
    }

    @Test
    void aCustomModuleRunsAsAWholeAndSaysSo() {
        Module custom = new Module() {
            final Linear fc = registerModule("fc", new Linear(4, 2, true, new Rng(8)));

            @Override
            public Tensor forward(Tensor input) {
                return fc.forward(input).tanh();
            }
        };
        Explanation e = Explainer.of(custom).on(Tensor.randn(new Rng(9), 3, 4));
        assertEquals(1, e.layers().size());
        assertTrue(e.notes().stream().anyMatch(n -> n.contains("ran as a whole")), e.notes().toString());
    }
}
