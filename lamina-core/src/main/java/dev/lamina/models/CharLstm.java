package dev.lamina.models;

import dev.lamina.nn.Embedding;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.Linear;
import dev.lamina.nn.RnnOutput;
import dev.lamina.nn.RnnState;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

/**
 * Character-level LSTM language model: embedding → LSTM (batch-first) → linear head over the vocabulary.
 * Submodule names {@code embed}, {@code lstm}, {@code head}, so a PyTorch model built the same way
 * (bench/seq_step.py) has the same state-dict keys.
 */
public final class CharLstm extends LanguageModel {
    private final int vocab;
    private final Embedding embed;
    private final LSTM lstm;
    private final Linear head;

    public CharLstm(int vocab, int embedDim, int hidden, int layers, Rng rng) {
        this.vocab = vocab;
        this.embed = registerModule("embed", new Embedding(vocab, embedDim, null, rng));
        this.lstm = registerModule("lstm", new LSTM(embedDim, hidden, layers, true, false, rng).batchFirst(true));
        this.head = registerModule("head", new Linear(hidden, vocab, true, rng));
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return 0;
    }

    /** ids [B, T] → logits [B, T, V]; the embedding lookup is fused into the LSTM's input projection. */
    @Override
    public Tensor logits(Tensor ids) {
        return head.forward(lstm.forward(embed, ids, null).output());
    }

    /** Carries the LSTM's (h, c) from call to call: one LSTM step per new character. */
    @Override
    public Decoder decoder() {
        return new Decoder() {
            private RnnState state;

            @Override
            public float[] feed(int[] ids) {
                float[] x = new float[ids.length];
                for (int i = 0; i < ids.length; i++) x[i] = ids[i];
                RnnOutput r = lstm.forward(embed, Tensor.of(x, 1, ids.length), state);
                state = r.state();
                Tensor last = r.output().select(1, ids.length - 1); // [1, H]
                return head.forward(last).toArray();
            }
        };
    }
}
