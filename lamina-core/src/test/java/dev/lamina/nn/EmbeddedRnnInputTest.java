package dev.lamina.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.tensor.Rng;
import dev.lamina.tensor.ShapeException;
import dev.lamina.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * {@link RNNBase#forward(Embedding, Tensor, RnnState)}, the embedding lookup fused into the first layer's input
 * projection, against the same embedding and layer run one after the other: forward output and states
 * bit-identical, every gradient (the embedding table included) equal up to float rounding; LSTM and GRU, stacked,
 * bidirectional, batch-first or not, unbatched, an initial state, repeated ids and a padding row.
 */
class EmbeddedRnnInputTest {
    private record Run(List<float[]> outputs, Map<String, float[]> grads) {}

    private static Run run(RNNBase rnn, Embedding emb, Tensor ids, RnnState init, Tensor g, boolean fused) {
        rnn.zeroGrad();
        emb.zeroGrad();
        if (init != null) init.h().zeroGrad();
        RnnOutput r = fused ? rnn.forward(emb, ids, init) : rnn.forward(emb.forward(ids), init);
        Tensor loss = r.output().mul(g).sum().add(r.hN().sum());
        if (r.cN() != null) loss = loss.add(r.cN().mul(r.cN()).sum());
        loss.backward();
        List<float[]> outs = new ArrayList<>(List.of(r.output().toArray(), r.hN().toArray()));
        if (r.cN() != null) outs.add(r.cN().toArray());
        Map<String, float[]> grads = new java.util.TreeMap<>();
        rnn.namedParameters().forEach((k, p) -> grads.put("rnn." + k, p.grad().toArray()));
        grads.put("embedding.weight", emb.weight().grad().toArray());
        if (init != null) grads.put("h0", init.h().grad().toArray());
        return new Run(outs, grads);
    }

    private static void compare(RNNBase rnn, Embedding emb, Tensor ids, RnnState init, Tensor g, String what) {
        Run plain = run(rnn, emb, ids, init, g, false), fused = run(rnn, emb, ids, init, g, true);
        for (int i = 0; i < plain.outputs().size(); i++) assertArrayEquals(plain.outputs().get(i), fused.outputs().get(i), what + ": output " + i);
        assertEquals(plain.grads().keySet(), fused.grads().keySet());
        for (String k : plain.grads().keySet()) {
            float[] p = plain.grads().get(k), f = fused.grads().get(k);
            double scale = 0;
            for (float v : p) scale = Math.max(scale, Math.abs(v));
            assertTrue(scale > 0, what + ": " + k + " has no gradient");
            for (int i = 0; i < p.length; i++) assertEquals(p[i], f[i], 2e-6 * Math.max(1, scale), what + ": " + k + " at " + i);
        }
    }

    private static Tensor ids(Rng rng, int vocab, int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] v = t.storage();
        for (int i = 0; i < v.length; i++) v[i] = rng.nextInt(vocab);
        return t;
    }

    @Test
    void lstmMatchesTheLookupFollowedByTheLayer() {
        Rng rng = new Rng(1);
        Embedding emb = new Embedding(11, 6, null, rng);
        LSTM lstm = new LSTM(6, 8, 2, true, true, rng).batchFirst(true);
        compare(lstm, emb, ids(rng, 11, 3, 7), null, Tensor.randn(rng, 3, 7, 16), "2-layer bidirectional batch-first LSTM");
        LSTM one = new LSTM(6, 32, 1, true, false, rng);   // H a multiple of the GEMM strip: steps split by units
        compare(one, emb, ids(rng, 11, 9, 4), null, Tensor.randn(rng, 9, 4, 32), "time-major LSTM");
        compare(one, emb, ids(rng, 11, 15), null, Tensor.randn(rng, 15, 32), "unbatched LSTM");
        compare(one, emb, ids(rng, 11, 5), null, Tensor.randn(rng, 5, 32), "fewer positions than tokens (not fused)");
    }

    @Test
    void gruWithInitialStateAndPaddingRow() {
        Rng rng = new Rng(2);
        Embedding emb = new Embedding(9, 5, 0, rng);
        emb.weight().storage()[3] = 0.5f;   // a non-zero padding row: its value still feeds forward and W_ih's gradient
        GRU gru = new GRU(5, 7, 1, true, true, rng).batchFirst(true);
        Tensor h0 = Tensor.randn(rng, 2, 4, 7).requiresGrad(true);
        compare(gru, emb, ids(rng, 9, 4, 6), new RnnState(h0, null), Tensor.randn(rng, 4, 6, 14), "bidirectional GRU with h0");
        Run fused = run(gru, emb, ids(rng, 9, 4, 6), null, Tensor.randn(rng, 4, 6, 14), true);
        float[] gw = fused.grads().get("embedding.weight");
        for (int j = 0; j < 5; j++) assertEquals(0f, gw[j], "padding row gets no gradient");
    }

    @Test
    void largeCharacterModelShapes() {
        // 65 tokens, 2048 positions: the per-token sums and the table products run across threads
        Rng rng = new Rng(3);
        Embedding emb = new Embedding(65, 16, null, rng);
        LSTM lstm = new LSTM(16, 64, 1, true, false, rng).batchFirst(true);
        compare(lstm, emb, ids(rng, 65, 32, 64), null, Tensor.randn(rng, 32, 64, 64), "char-LSTM shapes");
    }

    @Test
    void badInputIsRejected() {
        Rng rng = new Rng(4);
        LSTM lstm = new LSTM(6, 8, 1, true, false, rng);
        Embedding wrongDim = new Embedding(10, 5, null, rng), emb = new Embedding(10, 6, null, rng);
        ShapeException e = assertThrows(ShapeException.class, () -> lstm.forward(wrongDim, ids(rng, 10, 3, 2), null));
        assertTrue(e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
        assertThrows(ShapeException.class, () -> lstm.forward(emb, ids(rng, 10, 3, 2, 1), null));
        Tensor bad = ids(rng, 10, 3, 2);
        bad.storage()[4] = 10;
        IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class, () -> lstm.forward(emb, bad, null));
        assertTrue(oob.getMessage().contains("out of range"), oob.getMessage());
    }
}
