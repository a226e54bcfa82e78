package dev.lamina.models;

import dev.lamina.nn.Embedding;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.ModuleDict;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * A BERT encoder (Devlin et al.) with the names of BERT's common checkpoints (Hugging Face's {@code BertModel}):
 * {@code embeddings.word_embeddings}/{@code position_embeddings}/{@code token_type_embeddings}/{@code LayerNorm},
 * post-norm layers {@code encoder.layer.i} ({@code attention.self.query}/{@code key}/{@code value},
 * {@code attention.output.dense}/{@code LayerNorm}, {@code intermediate.dense} with exact GELU,
 * {@code output.dense}/{@code LayerNorm}; LayerNorm eps 1e-12), and {@code pooler.dense} (tanh on the first
 * token). Every token has type 0 and attends to every other (no padding mask).
 */
public final class Bert extends Module {
    /** vocab (30522), positions (512), token types (2), width (768), heads (12), intermediate (3072), layers (12). */
    public record Config(int vocabSize, int maxPositions, int typeVocabSize, int width, int heads, int intermediate, int layers) implements dev.lamina.nn.LayerConfig {
        @Override
        public Bert build(Rng rng) {
            return new Bert(this, rng);
        }

        public Config {
            if (vocabSize <= 0 || maxPositions <= 0 || typeVocabSize <= 0 || intermediate <= 0 || layers <= 0) {
                throw new IllegalArgumentException("Bert: sizes must be positive, got vocab " + vocabSize + ", positions " + maxPositions + ", types " + typeVocabSize
                        + ", intermediate " + intermediate + ", layers " + layers);
            }
            if (width <= 0 || heads <= 0 || width % heads != 0) throw new IllegalArgumentException("Bert: width " + width + " must be a positive multiple of the head count " + heads);
        }

        /** BERT-base. */
        public static Config base() {
            return new Config(30522, 512, 2, 768, 12, 3072, 12);
        }
    }

    private static final double EPS = 1e-12;
    private final Config config;
    private final ModuleDict embeddings;
    private final Sequential layers;
    private final Linear pooler;

    public Bert(Config c, Rng rng) {
        this.config = c;
        embeddings = registerModule("embeddings", new ModuleDict());
        embeddings.put("word_embeddings", new Embedding(c.vocabSize(), c.width(), null, rng));
        embeddings.put("position_embeddings", new Embedding(c.maxPositions(), c.width(), null, rng));
        embeddings.put("token_type_embeddings", new Embedding(c.typeVocabSize(), c.width(), null, rng));
        embeddings.put("LayerNorm", norm(c.width()));
        ModuleDict encoder = registerModule("encoder", new ModuleDict());
        layers = encoder.put("layer", new Sequential());
        for (int i = 0; i < c.layers(); i++) layers.add(new Layer(c, rng));
        ModuleDict p = registerModule("pooler", new ModuleDict());
        pooler = p.put("dense", new Linear(c.width(), c.width(), true, rng));
    }

    private static LayerNorm norm(int width) {
        return new LayerNorm(new int[] {width}, EPS, true, true);
    }

    /** Token ids [B, T] (whole numbers, T ≤ maxPositions) → the last hidden state [B, T, width]. */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dim() != 2 || ids.size(1) > config.maxPositions()) throw shapeError("[B, T] with T ≤ " + config.maxPositions(), ids);
        int t = ids.size(1);
        Tensor x = embeddings.get("word_embeddings").forward(ids)
                .add(embeddings.get("position_embeddings").forward(Tensor.arange(t)))
                .add(embeddings.get("token_type_embeddings").forward(Tensor.zeros(t)));
        return layers.forward(embeddings.get("LayerNorm").forward(x));
    }

    /** The pooled output: tanh(pooler.dense(hidden[:, 0])); hidden [B, T, width] → [B, width]. */
    public Tensor pool(Tensor hidden) {
        return pooler.forward(hidden.select(1, 0)).tanh();
    }

    @Override
    public Config config() {
        return config;
    }

    /** dense then LayerNorm(· + residual): BERT's {@code BertSelfOutput} and {@code BertOutput}. */
    private static final class DenseAddNorm extends Module {
        private final Linear dense;
        private final LayerNorm norm;

        DenseAddNorm(int in, int width, Rng rng) {
            dense = registerModule("dense", new Linear(in, width, true, rng));
            norm = registerModule("LayerNorm", norm(width));
        }

        /** LayerNorm(dense(x) + residual). */
        Tensor forward(Tensor x, Tensor residual) {
            return norm.forward(dense.forward(x).add(residual));
        }

        @Override
        public Tensor forward(Tensor x) {
            throw new UnsupportedOperationException(describe() + " adds a residual: call forward(x, residual)");
        }
    }

    private static final class SelfAttention extends Module {
        private final Linear query;
        private final Linear key;
        private final Linear value;
        private final int heads;

        SelfAttention(Config c, Rng rng) {
            query = registerModule("query", new Linear(c.width(), c.width(), true, rng));
            key = registerModule("key", new Linear(c.width(), c.width(), true, rng));
            value = registerModule("value", new Linear(c.width(), c.width(), true, rng));
            heads = c.heads();
        }

        /** [B, T, D] → the attended values [B, T, D] (before the output projection). */
        @Override
        public Tensor forward(Tensor x) {
            int b = x.size(0), t = x.size(1), d = x.size(2), dh = d / heads;
            Tensor q = query.forward(x).reshape(b, t, heads, dh).transpose(1, 2);
            Tensor k = key.forward(x).reshape(b, t, heads, dh).transpose(1, 2);
            Tensor v = value.forward(x).reshape(b, t, heads, dh).transpose(1, 2);
            return AttentionOp.scaledDotProductAttention(q, k, v, null, null, false, 0, false).output().transpose(1, 2).reshape(b, t, d);
        }
    }

    private static final class Layer extends Module {
        private final SelfAttention self;
        private final DenseAddNorm attentionOutput;
        private final Linear intermediate;
        private final DenseAddNorm output;

        Layer(Config c, Rng rng) {
            ModuleDict attention = registerModule("attention", new ModuleDict());
            self = attention.put("self", new SelfAttention(c, rng));
            attentionOutput = attention.put("output", new DenseAddNorm(c.width(), c.width(), rng));
            intermediate = registerModule("intermediate", new ModuleDict()).put("dense", new Linear(c.width(), c.intermediate(), true, rng));
            output = registerModule("output", new DenseAddNorm(c.intermediate(), c.width(), rng));
        }

        /** [B, T, D] → [B, T, D]. */
        @Override
        public Tensor forward(Tensor x) {
            Tensor a = attentionOutput.forward(self.forward(x), x);
            return output.forward(intermediate.forward(a).gelu(), a);
        }
    }
}
