package dev.lamina.nn;

import static dev.lamina.Fixtures.assertMatches;
import static dev.lamina.Fixtures.has;
import static dev.lamina.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lamina.Fixtures;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LSTM, GRU and their cells against PyTorch (tools/fixtures/make_rnn_fixtures.py): PyTorch's parameters are copied in
 * by name, then the output, the final states and the gradients w.r.t. the input, the initial states and every
 * parameter are compared. Packed-sequence cases run once with per-row lengths and once with the equivalent mask.
 */
class RnnFixtureTest {
    private static final Rng R = new Rng(7);

    private static Arguments layer(String fixture, Supplier<RNNBase> factory) {
        return Arguments.argumentSet(fixture, fixture, factory);
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                layer("rnn_lstm_1layer", () -> new LSTM(5, 4, 1, true, false, R)),
                layer("rnn_lstm_2layer", () -> new LSTM(5, 4, 2, true, false, R)),
                layer("rnn_lstm_bidir", () -> new LSTM(4, 3, 2, true, true, R)),
                layer("rnn_lstm_batch_first", () -> new LSTM(3, 4, 1, true, false, R).batchFirst(true)),
                layer("rnn_lstm_nobias", () -> new LSTM(4, 5, 1, false, false, R)),
                layer("rnn_lstm_init_state", () -> new LSTM(3, 4, 2, true, false, R)),
                layer("rnn_lstm_lengths", () -> new LSTM(3, 4, 1, true, false, R)),
                layer("rnn_lstm_lengths_bidir", () -> new LSTM(3, 3, 2, true, true, R).batchFirst(true)),
                layer("rnn_lstm_eval", () -> evalMode(new LSTM(4, 3, 2, true, false, R).dropout(0.5))),
                layer("rnn_lstm_unbatched", () -> new LSTM(3, 4, 1, true, true, R)),
                layer("rnn_lstm_wide", () -> new LSTM(6, 20, 1, true, true, R)),
                layer("rnn_lstm_h32", () -> new LSTM(5, 32, 1, true, true, R)),
                layer("rnn_gru_1layer", () -> new GRU(5, 4, 1, true, false, R)),
                layer("rnn_gru_2layer", () -> new GRU(5, 4, 2, true, false, R)),
                layer("rnn_gru_bidir", () -> new GRU(4, 3, 2, true, true, R)),
                layer("rnn_gru_batch_first", () -> new GRU(3, 4, 1, true, false, R).batchFirst(true)),
                layer("rnn_gru_nobias", () -> new GRU(4, 5, 1, false, false, R)),
                layer("rnn_gru_init_state", () -> new GRU(3, 4, 2, true, false, R)),
                layer("rnn_gru_lengths", () -> new GRU(3, 4, 1, true, false, R)),
                layer("rnn_gru_lengths_bidir", () -> new GRU(3, 3, 2, true, true, R).batchFirst(true)),
                layer("rnn_gru_eval", () -> evalMode(new GRU(4, 3, 2, true, false, R).dropout(0.5))),
                layer("rnn_gru_unbatched", () -> new GRU(3, 4, 1, true, true, R)),
                layer("rnn_gru_wide", () -> new GRU(6, 20, 1, true, true, R)),
                layer("rnn_gru_h32", () -> new GRU(5, 32, 1, true, true, R)));
    }

    private static RNNBase evalMode(RNNBase m) {
        m.eval();
        return m;
    }

    @ParameterizedTest
    @MethodSource("layers")
    void layerMatchesPyTorch(String fixture, Supplier<RNNBase> factory) {
        check(fixture, factory.get(), false);
    }

    /** The packed cases again, the valid steps given as a [batch, seq] mask instead of lengths. */
    @Test
    @Fixtures.Covers({"rnn_lstm_lengths", "rnn_lstm_lengths_bidir", "rnn_gru_lengths", "rnn_gru_lengths_bidir"})
    void maskMatchesPackedSequences() {
        check("rnn_lstm_lengths", new LSTM(3, 4, 1, true, false, R), true);
        check("rnn_lstm_lengths_bidir", new LSTM(3, 3, 2, true, true, R).batchFirst(true), true);
        check("rnn_gru_lengths", new GRU(3, 4, 1, true, false, R), true);
        check("rnn_gru_lengths_bidir", new GRU(3, 3, 2, true, true, R).batchFirst(true), true);
    }

    private static void loadParameters(String fixture, Module m) {
        Map<String, Tensor> params = m.namedParameters();
        for (Map.Entry<String, Tensor> e : params.entrySet()) e.getValue().copyFrom_(tensor(fixture, e.getKey()));
        // every parameter PyTorch has, Lamina has (and vice versa: a missing file fails the copy above)
        for (String k : params.keySet()) assertEquals(true, has(fixture, "g_" + k), fixture + ": no reference gradient for " + k);
    }

    private static void check(String fixture, RNNBase m, boolean useMask) {
        loadParameters(fixture, m);
        Tensor x = tensor(fixture, "x").requiresGrad(true);
        Tensor h0 = has(fixture, "h0") ? tensor(fixture, "h0").requiresGrad(true) : null;
        Tensor c0 = has(fixture, "c0") ? tensor(fixture, "c0").requiresGrad(true) : null;
        RnnState init = h0 == null && c0 == null ? null : new RnnState(h0, c0);
        RnnOutput r;
        if (has(fixture, "lengths")) {
            Tensor lengths = tensor(fixture, "lengths");
            r = useMask ? m.forwardMasked(x, init, mask(lengths, x.size(m.isBatchFirst() ? 1 : 0))) : m.forward(x, init, lengths);
        } else {
            r = m.forward(x, init);
            if (init == null) assertMatches(fixture, "out", m.forward(x));
        }
        assertMatches(fixture, "out", r.output());
        assertMatches(fixture, "h_n", r.hN());
        Tensor loss = r.output().mul(tensor(fixture, "gout")).sum().add(r.hN().mul(tensor(fixture, "gh_n")).sum());
        if (has(fixture, "c_n")) {
            assertMatches(fixture, "c_n", r.cN());
            loss = loss.add(r.cN().mul(tensor(fixture, "gc_n")).sum());
        } else {
            assertNull(r.cN());
        }
        m.zeroGrad();
        loss.backward();
        assertMatches(fixture, "g_x", x.grad());
        if (h0 != null) assertMatches(fixture, "g_h0", h0.grad());
        if (c0 != null) assertMatches(fixture, "g_c0", c0.grad());
        m.namedParameters().forEach((k, p) -> assertMatches(fixture, "g_" + k, p.grad()));
    }

    /** [batch, seq] 0/1 from per-row lengths. */
    static Tensor mask(Tensor lengths, int steps) {
        float[] len = lengths.toArray();
        float[] m = new float[len.length * steps];
        for (int b = 0; b < len.length; b++) for (int t = 0; t < len[b]; t++) m[b * steps + t] = 1f;
        return Tensor.of(m, len.length, steps);
    }

    @Test
    @Fixtures.Covers({"rnn_lstm_cell", "rnn_lstm_cell_nostate_nobias"})
    void lstmCellMatchesPyTorch() {
        checkLstmCell("rnn_lstm_cell", new LSTMCell(5, 4, true, R));
        checkLstmCell("rnn_lstm_cell_nostate_nobias", new LSTMCell(3, 4, false, R));
    }

    private static void checkLstmCell(String fixture, LSTMCell cell) {
        loadParameters(fixture, cell);
        Tensor x = tensor(fixture, "x").requiresGrad(true);
        Tensor h0 = has(fixture, "h0") ? tensor(fixture, "h0").requiresGrad(true) : null;
        Tensor c0 = has(fixture, "c0") ? tensor(fixture, "c0").requiresGrad(true) : null;
        RnnState s = cell.forward(x, h0 == null ? null : new RnnState(h0, c0));
        assertMatches(fixture, "h", s.h());
        assertMatches(fixture, "c", s.c());
        if (h0 == null) assertMatches(fixture, "h", cell.forward(x));
        s.h().mul(tensor(fixture, "gh")).sum().add(s.c().mul(tensor(fixture, "gc")).sum()).backward();
        assertMatches(fixture, "g_x", x.grad());
        if (h0 != null) assertMatches(fixture, "g_h0", h0.grad());
        if (c0 != null) assertMatches(fixture, "g_c0", c0.grad());
        cell.namedParameters().forEach((k, p) -> assertMatches(fixture, "g_" + k, p.grad()));
    }

    @Test
    @Fixtures.Covers({"rnn_gru_cell", "rnn_gru_cell_nostate_nobias"})
    void gruCellMatchesPyTorch() {
        checkGruCell("rnn_gru_cell", new GRUCell(5, 4, true, R));
        checkGruCell("rnn_gru_cell_nostate_nobias", new GRUCell(3, 4, false, R));
    }

    private static void checkGruCell(String fixture, GRUCell cell) {
        loadParameters(fixture, cell);
        Tensor x = tensor(fixture, "x").requiresGrad(true);
        Tensor h0 = has(fixture, "h0") ? tensor(fixture, "h0").requiresGrad(true) : null;
        Tensor h = cell.forward(x, h0);
        assertMatches(fixture, "h", h);
        h.mul(tensor(fixture, "gh")).sum().backward();
        assertMatches(fixture, "g_x", x.grad());
        if (h0 != null) assertMatches(fixture, "g_h0", h0.grad());
        cell.namedParameters().forEach((k, p) -> assertMatches(fixture, "g_" + k, p.grad()));
    }
}
