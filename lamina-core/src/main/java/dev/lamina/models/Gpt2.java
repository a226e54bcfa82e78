package dev.lamina.models;

import dev.lamina.nn.Embedding;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.Module;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.functional.AttentionOp;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

/**
 * A GPT-2 decoder (Radford et al.) with the names and layouts of GPT-2's checkpoints (Hugging Face's
 * {@code GPT2Model}): {@code wte} token and {@code wpe} position embeddings, blocks {@code h.i} (pre-norm:
 * {@code ln_1}, causal {@code attn.c_attn}/{@code attn.c_proj}, {@code ln_2}, {@code mlp.c_fc}/{@code mlp.c_proj}
 * with tanh-GELU), {@code ln_f}, and logits through the tied {@code wte}. The linear layers keep GPT-2's
 * {@code Conv1D} layout: weight [in, out], y = x·W + b. The causal-mask buffer {@code h.i.attn.bias} of older
 * checkpoints is not part of this state dict.
 */
public final class Gpt2 extends Module {
    /** vocab (50257 for GPT-2), context (n_positions, 1024), width (n_embd, 768), heads (12), layers (12). */
    public record Config(int vocabSize, int context, int width, int heads, int layers) implements dev.lamina.nn.LayerConfig {
        @Override
        public Gpt2 build(Rng rng) {
            return new Gpt2(this, rng);
        }

        public Config {
            if (vocabSize <= 0 || context <= 0 || layers <= 0) throw new IllegalArgumentException("Gpt2: vocab, context and layers must be positive, got " + vocabSize + ", " + context + ", " + layers);
            if (width <= 0 || heads <= 0 || width % heads != 0) throw new IllegalArgumentException("Gpt2: width " + width + " must be a positive multiple of the head count " + heads);
        }

        /** GPT-2 small (124M). */
        public static Config small() {
            return new Config(50257, 1024, 768, 12, 12);
        }
    }

    private final Config config;
    private final Embedding wte;
    private final Embedding wpe;
    private final Sequential h;
    private final LayerNorm lnF;

    public Gpt2(Config c, Rng rng) {
        this.config = c;
        wte = registerModule("wte", new Embedding(c.vocabSize(), c.width(), null, rng));
        wpe = registerModule("wpe", new Embedding(c.context(), c.width(), null, rng));
        h = registerModule("h", new Sequential());
        for (int i = 0; i < c.layers(); i++) h.add(new Block(c, rng));
        lnF = registerModule("ln_f", new LayerNorm(c.width()));
    }

    /** Token ids [B, T] (whole numbers, T ≤ context) → logits [B, T, vocab]. */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dim() != 2 || ids.size(1) > config.context()) throw shapeError("[B, T] with T ≤ " + config.context(), ids);
        Tensor x = wte.forward(ids).add(wpe.forward(Tensor.arange(ids.size(1))));
        return lnF.forward(h.forward(x)).matmul(wte.weight().t());
    }

    @Override
    public Config config() {
        return config;
    }

    /** GPT-2's {@code Conv1D}: weight [in, out], bias [out]; [..., in] → [..., out]. */
    static final class TransposedLinear extends Module {
        private final Tensor weight;
        private final Tensor bias;

        TransposedLinear(int in, int out, Rng rng) {
            weight = registerParameter("weight", Tensor.randn(rng, in, out).mul(0.02f).detach());
            bias = registerParameter("bias", Tensor.zeros(out));
        }

        @Override
        public Tensor forward(Tensor x) {
            if (x.size(-1) != weight.size(0)) throw shapeError("[..., " + weight.size(0) + "]", x);
            return x.matmul(weight).add(bias);
        }
    }

    private static final class Attention extends Module {
        private final TransposedLinear cAttn;
        private final TransposedLinear cProj;
        private final int heads;

        Attention(Config c, Rng rng) {
            cAttn = registerModule("c_attn", new TransposedLinear(c.width(), 3 * c.width(), rng));
            cProj = registerModule("c_proj", new TransposedLinear(c.width(), c.width(), rng));
            heads = c.heads();
        }

        /** [B, T, D] → [B, T, D], each position attending to itself and the ones before. */
        @Override
        public Tensor forward(Tensor x) {
            int b = x.size(0), t = x.size(1), d = x.size(2), dh = d / heads;
            Tensor qkv = cAttn.forward(x);
            Tensor q = qkv.narrow(2, 0, d).reshape(b, t, heads, dh).transpose(1, 2);
            Tensor k = qkv.narrow(2, d, d).reshape(b, t, heads, dh).transpose(1, 2);
            Tensor v = qkv.narrow(2, 2 * d, d).reshape(b, t, heads, dh).transpose(1, 2);
            Tensor y = AttentionOp.scaledDotProductAttention(q, k, v, null, null, true, 0, false).output();
            return cProj.forward(y.transpose(1, 2).reshape(b, t, d));
        }
    }

    private static final class Mlp extends Module {
        private final TransposedLinear cFc;
        private final TransposedLinear cProj;

        Mlp(Config c, Rng rng) {
            cFc = registerModule("c_fc", new TransposedLinear(c.width(), 4 * c.width(), rng));
            cProj = registerModule("c_proj", new TransposedLinear(4 * c.width(), c.width(), rng));
        }

        @Override
        public Tensor forward(Tensor x) {
            return cProj.forward(cFc.forward(x).geluTanh());
        }
    }

    private static final class Block extends Module {
        private final LayerNorm ln1;
        private final Attention attn;
        private final LayerNorm ln2;
        private final Mlp mlp;

        Block(Config c, Rng rng) {
            ln1 = registerModule("ln_1", new LayerNorm(c.width()));
            attn = registerModule("attn", new Attention(c, rng));
            ln2 = registerModule("ln_2", new LayerNorm(c.width()));
            mlp = registerModule("mlp", new Mlp(c, rng));
        }

        /** [B, T, D] → [B, T, D]. */
        @Override
        public Tensor forward(Tensor x) {
            if (x.dim() != 3) throw new ShapeException(describe() + ": expected [B, T, D], got " + Shape.str(x.shape()));
            Tensor y = x.add(attn.forward(ln1.forward(x)));
            return y.add(mlp.forward(ln2.forward(y)));
        }
    }
}
