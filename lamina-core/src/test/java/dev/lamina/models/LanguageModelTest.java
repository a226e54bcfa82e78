package dev.lamina.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.autograd.Autograd;
import dev.lamina.data.DataLoader;
import dev.lamina.data.Dataset;
import dev.lamina.data.TextCorpus;
import dev.lamina.io.Safetensors;
import dev.lamina.optim.Adam;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import dev.lamina.train.History;
import dev.lamina.train.Trainer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageModelTest {
    private static final int V = 11;

    private static Tensor ids(int... ids) {
        float[] x = new float[ids.length];
        for (int i = 0; i < ids.length; i++) x[i] = ids[i];
        return Tensor.of(x, 1, ids.length);
    }

    /** Feeding the decoder a prompt and then one token at a time gives the full forward pass's logits. */
    private static void decoderMatchesFullForward(LanguageModel m, int[] seq) {
        m.eval();
        try (var s = Autograd.noGrad()) {
            Tensor full = m.logits(ids(seq)); // [1, T, V]
            LanguageModel.Decoder d = m.decoder();
            float[] first = d.feed(new int[] {seq[0], seq[1], seq[2]});
            assertArrayEquals(full.select(1, 2).toArray(), first, 1e-4f);
            for (int t = 3; t < seq.length; t++) {
                float[] step = d.feed(new int[] {seq[t]});
                assertArrayEquals(full.select(1, t).toArray(), step, 1e-4f, "position " + t);
            }
        }
    }

    @Test
    void lstmDecoderCarriesStateLikeTheFullPass() {
        decoderMatchesFullForward(new CharLstm(V, 8, 16, 2, new Rng(1)), new int[] {1, 4, 2, 9, 9, 0, 3, 10, 5, 7});
    }

    @Test
    void transformerDecoderMatchesTheCausalFullPassWithinItsContext() {
        decoderMatchesFullForward(new CharTransformer(V, 12, 16, 2, 32, 2, 0.1, new Rng(2)), new int[] {1, 4, 2, 9, 9, 0, 3, 10, 5, 7, 6, 2});
    }

    @Test
    void transformerIsCausal() {
        CharTransformer m = new CharTransformer(V, 8, 16, 4, 32, 1, 0.0, new Rng(3));
        m.eval();
        try (var s = Autograd.noGrad()) {
            Tensor a = m.logits(ids(1, 2, 3, 4, 5)), b = m.logits(ids(1, 2, 3, 9, 0));
            assertArrayEquals(a.narrow(1, 0, 3).contiguous().toArray(), b.narrow(1, 0, 3).contiguous().toArray(), 1e-6f);
            assertTrue(Math.abs(a.select(1, 3).toArray()[0] - b.select(1, 3).toArray()[0]) > 1e-6);
        }
    }

    @Test
    void transformerDecoderSlidesItsWindowPastTheContext() {
        CharTransformer m = new CharTransformer(V, 4, 8, 2, 16, 1, 0.0, new Rng(4));
        m.eval();
        try (var s = Autograd.noGrad()) {
            LanguageModel.Decoder d = m.decoder();
            d.feed(new int[] {1, 2, 3});
            d.feed(new int[] {4});
            float[] slid = d.feed(new int[] {5}); // window is now 2, 3, 4, 5
            assertArrayEquals(m.logits(ids(2, 3, 4, 5)).select(1, 3).toArray(), slid, 1e-5f);
        }
    }

    @Test
    void saveAndLoadRebuildTheSameModel(@TempDir Path dir) throws IOException {
        TextCorpus corpus = TextCorpus.of("In the beginning God created the heaven and the earth.\n");
        for (String name : LanguageModels.NAMES) {
            LanguageModel m = LanguageModels.create(name, corpus.vocabulary().size(), 16, new Rng(5));
            m.eval();
            Path f = dir.resolve(name + ".safetensors");
            LanguageModels.save(m, name, corpus.vocabulary(), f);
            LanguageModels.Loaded back = LanguageModels.load(f);
            assertEquals(name, back.name());
            assertEquals(corpus.vocabulary().symbols(), back.vocabulary().symbols());
            Tensor x = ids(corpus.vocabulary().encode("the earth"));
            try (var s = Autograd.noGrad()) {
                assertArrayEquals(m.logits(x).toArray(), back.model().logits(x).toArray(), 0f, name);
            }
        }
    }

    @Test
    void filesThatAreNotLanguageModelsAreRejected(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("mlp.safetensors");
        Models.save(Models.mlp(new Rng(0)), "mlp", image);
        IOException e = assertThrows(IOException.class, () -> LanguageModels.load(image));
        assertTrue(e.getMessage().contains("not a language model"), e.getMessage());
        Path wrong = dir.resolve("wrong.safetensors");
        LanguageModel lstm = LanguageModels.create("lstm", 5, 8, new Rng(0));
        Safetensors.write(wrong, lstm.stateDict(), Map.of(LanguageModels.MODEL_KEY, "lstm", LanguageModels.VOCAB_KEY, "abcdefg", LanguageModels.CONTEXT_KEY, "8"));
        e = assertThrows(IOException.class, () -> LanguageModels.load(wrong)); // 7 symbols, weights for 5
        assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
    }

    /** On the bundled text, a few dozen steps of either model bring the loss well below the uniform guess. */
    @Test
    void bothModelsLearnTheBundledText() throws IOException {
        TextCorpus corpus = TextCorpus.load(Path.of("..", "data", "kjv-subset", "kjv-subset.txt"));
        int v = corpus.vocabulary().size();
        Dataset train = TextCorpus.windows(corpus.ids(0, 16_000), 32);
        for (String name : LanguageModels.NAMES) {
            Rng rng = new Rng(11);
            LanguageModel m = name.equals("lstm") ? new CharLstm(v, 32, 64, 1, rng) : new CharTransformer(v, 32, 32, 4, 64, 2, 0.0, rng);
            Trainer trainer = new Trainer(m, LanguageModel.loss(), new Adam(m.parameters(), name.equals("lstm") ? 1e-2 : 3e-3)).clipGradNorm(1.0);
            History h = trainer.fit(new DataLoader(train, 32, true, true, rng.split()), (Dataset) null, 3);
            double uniform = Math.log(v);
            double last = h.last().trainLoss();
            assertTrue(last < 0.7 * uniform, name + ": loss " + last + " after 3 epochs vs ln(V) = " + uniform);
        }
    }

    /** Every generator a model draws from while training is registered, so checkpoints save it (resume is exact). */
    @Test
    void everyTrainingTimeGeneratorIsRegistered() {
        CharTransformer t = new CharTransformer(V, 8, 16, 2, 32, 2, 0.1, new Rng(1));
        assertTrue(t.namedRngs().containsKey("encoder.layers.1.self_attn.rng"), t.namedRngs().keySet().toString());
        assertTrue(t.namedRngs().containsKey("encoder.layers.0.dropout1.rng"), t.namedRngs().keySet().toString());
        dev.lamina.nn.LSTM lstm = new dev.lamina.nn.LSTM(4, 8, 2).dropout(0.3);
        lstm.dropout(0.2, new Rng(9));
        assertEquals(java.util.Set.of("dropout_rng"), lstm.namedRngs().keySet());
        assertEquals(new Rng(9).nextLong(), lstm.namedRngs().get("dropout_rng").nextLong());
    }
}
