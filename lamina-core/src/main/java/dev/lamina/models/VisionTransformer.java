package dev.lamina.models;

import dev.lamina.nn.Conv2d;
import dev.lamina.nn.Dropout;
import dev.lamina.nn.GELU;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.ModuleDict;
import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.List;

/**
 * The Vision Transformer (Dosovitskiy et al.) in torchvision's {@code VisionTransformer} layout and names:
 * {@code conv_proj} (patch × patch conv, stride patch), {@code class_token} [1, 1, D] prepended,
 * {@code encoder.pos_embedding} [1, S, D] added, {@code encoder.layers.encoder_layer_i} pre-norm blocks
 * ({@code ln_1}, {@code self_attention}, {@code ln_2}, {@code mlp.0}/{@code mlp.3}; LayerNorm eps 1e-6, GELU),
 * {@code encoder.ln}, and {@code heads.head} on the class token. S = (image/patch)² + 1.
 */
public final class VisionTransformer extends ImageClassifier {
    /**
     * @param imageSize  input height and width (the input must have exactly this size, as torchvision)
     * @param patchSize  patch height and width; must divide imageSize
     * @param inChannels input channels (3 in torchvision)
     * @param dropout    dropout after the embedding, in the MLP and after attention (0 in torchvision's builders)
     */
    public record Config(int imageSize, int patchSize, int inChannels, int numLayers, int numHeads, int hiddenDim, int mlpDim, int numClasses, double dropout) implements dev.lamina.nn.LayerConfig {
        @Override
        public VisionTransformer build(Rng rng) {
            return new VisionTransformer(this, rng);
        }

        public Config {
            if (imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0) throw new IllegalArgumentException("VisionTransformer: image size " + imageSize + " must be a positive multiple of the patch size " + patchSize);
            if (hiddenDim <= 0 || numHeads <= 0 || hiddenDim % numHeads != 0) throw new IllegalArgumentException("VisionTransformer: hidden dim " + hiddenDim + " must be a positive multiple of the head count " + numHeads);
            if (numLayers <= 0 || mlpDim <= 0 || numClasses <= 0 || inChannels <= 0) throw new IllegalArgumentException("VisionTransformer: layers, MLP width, classes and channels must be positive, got " + numLayers + ", " + mlpDim + ", " + numClasses + ", " + inChannels);
        }

        /** torchvision's vit_b_16: 224×224, patch 16, 12 layers, 12 heads, D 768, MLP 3072. */
        public static Config b16(int numClasses) {
            return new Config(224, 16, 3, 12, 12, 768, 3072, numClasses, 0);
        }
    }

    private final Config config;
    private final Conv2d convProj;
    private final Tensor classToken;
    private final Encoder encoder;
    private final ModuleDict heads;

    public VisionTransformer(Config c, Rng rng) {
        this.config = c;
        int d = c.hiddenDim();
        int seq = (c.imageSize() / c.patchSize()) * (c.imageSize() / c.patchSize()) + 1;
        convProj = registerModule("conv_proj", new Conv2d(c.inChannels(), d, c.patchSize(), 1, true, rng).stride(c.patchSize()));
        classToken = registerParameter("class_token", Tensor.zeros(1, 1, d));
        encoder = registerModule("encoder", new Encoder(seq, c, rng));
        heads = registerModule("heads", new ModuleDict());
        heads.put("head", new Linear(d, c.numClasses(), true, rng));
    }

    /** [N, inChannels, imageSize, imageSize] → logits [N, numClasses]. */
    @Override
    public Tensor forward(Tensor x) {
        int s = config.imageSize();
        if (x.dim() != 4 || x.size(1) != config.inChannels() || x.size(2) != s || x.size(3) != s) {
            throw shapeError("[N, " + config.inChannels() + ", " + s + ", " + s + "]", x);
        }
        int n = x.size(0), d = config.hiddenDim();
        Tensor patches = convProj.forward(x).flatten(2, 3).transpose(1, 2);
        Tensor tokens = Tensor.cat(List.of(classToken.expand(n, 1, d), patches), 1);
        Tensor y = encoder.forward(tokens);
        return heads.get("head").forward(y.select(1, 0));
    }

    @Override
    public String headPath() {
        return "heads.head";
    }

    @Override
    public Config config() {
        return config;
    }

    /** {@code pos_embedding}, dropout, the blocks in order and the final LayerNorm. */
    private static final class Encoder extends Module {
        private final Tensor posEmbedding;
        private final Dropout dropout;
        private final ModuleDict layers;
        private final LayerNorm ln;

        Encoder(int seq, Config c, Rng rng) {
            posEmbedding = registerParameter("pos_embedding", Tensor.randn(rng, 1, seq, c.hiddenDim()).mul(0.02f).detach());
            dropout = registerModule("dropout", new Dropout(c.dropout(), rng.split()));
            layers = registerModule("layers", new ModuleDict());
            for (int i = 0; i < c.numLayers(); i++) layers.put("encoder_layer_" + i, new EncoderBlock(c, rng));
            ln = registerModule("ln", new LayerNorm(new int[] {c.hiddenDim()}, 1e-6, true, true));
        }

        /** [N, S, D] → [N, S, D]. */
        @Override
        public Tensor forward(Tensor x) {
            if (x.dim() != 3 || x.size(1) != posEmbedding.size(1) || x.size(2) != posEmbedding.size(2)) {
                throw shapeError("[N, " + posEmbedding.size(1) + ", " + posEmbedding.size(2) + "]", x);
            }
            Tensor y = dropout.forward(x.add(posEmbedding));
            for (Module block : layers.children().values()) y = block.forward(y);
            return ln.forward(y);
        }
    }

    /** Pre-norm block: x + attention(ln_1(x)), then + mlp(ln_2(·)). */
    private static final class EncoderBlock extends Module {
        private final LayerNorm ln1;
        private final MultiheadAttention attention;
        private final Dropout dropout;
        private final LayerNorm ln2;
        private final Sequential mlp;

        EncoderBlock(Config c, Rng rng) {
            int d = c.hiddenDim();
            ln1 = registerModule("ln_1", new LayerNorm(new int[] {d}, 1e-6, true, true));
            attention = registerModule("self_attention", new MultiheadAttention(d, c.numHeads(), 0.0, true, true, rng));
            dropout = registerModule("dropout", new Dropout(c.dropout(), rng.split()));
            ln2 = registerModule("ln_2", new LayerNorm(new int[] {d}, 1e-6, true, true));
            mlp = registerModule("mlp", new Sequential(new Linear(d, c.mlpDim(), true, rng), new GELU(), new Dropout(c.dropout(), rng.split()),
                    new Linear(c.mlpDim(), d, true, rng), new Dropout(c.dropout(), rng.split())));
        }

        /** [N, S, D] → [N, S, D]. */
        @Override
        public Tensor forward(Tensor x) {
            Tensor y = x.add(dropout.forward(attention.forward(ln1.forward(x))));
            return y.add(mlp.forward(ln2.forward(y)));
        }
    }
}
