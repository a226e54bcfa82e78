package dev.lamina.models;

import dev.lamina.nn.Embedding;
import dev.lamina.nn.LayerNorm;
import dev.lamina.nn.LearnedPositionalEncoding;
import dev.lamina.nn.Linear;
import dev.lamina.nn.TransformerEncoder;
import dev.lamina.nn.TransformerEncoderLayer;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Character-level transformer language model (decoder-only, GPT-style): token embedding + learned positions →
 * N pre-norm encoder layers with a causal mask (GELU) → layer norm → linear head. Positions are absolute and learned,
 * so the model reads at most {@link #contextLength()} characters at a time.
 */
public final class CharTransformer extends LanguageModel {
    private final int vocab;
    private final int context;
    private final Embedding embed;
    private final LearnedPositionalEncoding pos;
    private final TransformerEncoder encoder;
    private final LayerNorm norm;
    private final Linear head;

    public CharTransformer(int vocab, int context, int dModel, int heads, int feedForward, int layers, double dropout, Rng rng) {
        this.vocab = vocab;
        this.context = context;
        this.embed = registerModule("embed", new Embedding(vocab, dModel, null, rng));
        this.pos = registerModule("pos", new LearnedPositionalEncoding(context, dModel, true, rng));
        this.encoder = registerModule("encoder", new TransformerEncoder(
                () -> new TransformerEncoderLayer(dModel, heads, feedForward, dropout, "gelu", true, true, rng), layers));
        this.norm = registerModule("norm", new LayerNorm(dModel));
        this.head = registerModule("head", new Linear(dModel, vocab, true, rng));
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return context;
    }

    /** ids [B, T] with T ≤ context → logits [B, T, V]; position t sees positions 0..t only. */
    @Override
    public Tensor logits(Tensor ids) {
        Tensor x = pos.forward(embed.forward(ids));
        return head.forward(norm.forward(encoder.forward(x, null, null, true)));
    }

    /**
     * Keeps the last {@link #contextLength()} tokens and re-reads them for each new one: with absolute positions a
     * sliding window shifts every position, so cached keys and values could not be reused past the first window.
     */
    @Override
    public Decoder decoder() {
        return new Decoder() {
            private int[] window = new int[0];

            @Override
            public float[] feed(int[] ids) {
                int[] all = new int[window.length + ids.length];
                System.arraycopy(window, 0, all, 0, window.length);
                System.arraycopy(ids, 0, all, window.length, ids.length);
                window = all.length > context ? java.util.Arrays.copyOfRange(all, all.length - context, all.length) : all;
                float[] x = new float[window.length];
                for (int i = 0; i < x.length; i++) x[i] = window[i];
                Tensor logits = logits(Tensor.of(x, 1, x.length)); // [1, T, V]
                return logits.select(1, x.length - 1).toArray();
            }
        };
    }
}
