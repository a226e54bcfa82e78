package dev.lamina.onnx;

import static dev.lamina.onnx.OnnxExport.intAttr;
import static dev.lamina.onnx.OnnxExport.ints;
import static dev.lamina.onnx.OnnxExport.stringAttr;
import static dev.lamina.onnx.OnnxExport.unsupported;

import dev.lamina.nn.GRU;
import dev.lamina.nn.LSTM;
import dev.lamina.nn.RNNBase;
import dev.lamina.onnx.OnnxExport.Traced;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;

import java.util.ArrayList;
import java.util.List;

/** LSTM and GRU: every layer and direction as an ONNX LSTM/GRU node, gates reordered; the output sequence, as their {@code forward}. */
final class RecurrentExport {
    private RecurrentExport() {}

    static void registerAll() {
        OnnxExport.register(RNNBase.class, (e, prefix, where, r, x, y) -> rnn(e, prefix, where, r, x));
    }

    /** ONNX gate blocks from PyTorch's: LSTM (i, f, g, o) → (i, o, f, c), GRU (r, z, n) → (z, r, h). */
    private static final int[] LSTM_FROM_TORCH = {0, 3, 1, 2}, GRU_FROM_TORCH = {1, 0, 2};

    private static String rnn(OnnxExport e, String prefix, String where, RNNBase r, Traced x) {
        RNNBase.Config c = r.config();
        boolean lstm = c instanceof LSTM.Config;
        if (!lstm && !(c instanceof GRU.Config)) throw unsupported(where, r, "only LSTM and GRU have ONNX operators");
        if (x.value().dim() != 3) throw unsupported(where, r, "export needs a batched 3-D input, got " + Shape.str(x.value().shape()));
        int hidden = c.hiddenSize(), dirs = c.directions(), gates = lstm ? 4 : 3;
        int[] order = lstm ? LSTM_FROM_TORCH : GRU_FROM_TORCH;
        String cur = c.batchFirst() ? e.node("Transpose", where, List.of(x.name()), ints("perm", 1, 0, 2)) : x.name();
        for (int layer = 0; layer < c.numLayers(); layer++) {
            List<Tensor> ws = new ArrayList<>(), rs = new ArrayList<>(), bs = new ArrayList<>();
            for (int d = 0; d < dirs; d++) {
                Tensor[] w = r.weights(layer, d); // weight_ih, weight_hh, bias_ih, bias_hh
                ws.add(reorder(w[0], hidden, order));
                rs.add(reorder(w[1], hidden, order));
                Tensor bih = !c.bias() ? Tensor.zeros(gates * hidden) : reorder(w[2], hidden, order);
                Tensor bhh = !c.bias() ? Tensor.zeros(gates * hidden) : reorder(w[3], hidden, order);
                bs.add(Tensor.cat(List.of(bih, bhh), 0));
            }
            String sfx = "_l" + layer;
            String wName = e.param(prefix + "onnx_W" + sfx, Tensor.stack(ws, 0)), rName = e.param(prefix + "onnx_R" + sfx, Tensor.stack(rs, 0));
            String bName = e.param(prefix + "onnx_B" + sfx, Tensor.stack(bs, 0));
            List<AttributeProto> a = new ArrayList<>(List.of(intAttr("hidden_size", hidden)));
            if (dirs == 2) a.add(stringAttr("direction", "bidirectional"));
            if (!lstm) a.add(intAttr("linear_before_reset", 1));
            String y = e.node(lstm ? "LSTM" : "GRU", where, List.of(cur, wName, rName, bName), a.toArray(AttributeProto[]::new));
            // Y [seq, dirs, batch, H] → [seq, batch, dirs·H]
            String t = e.node("Transpose", where, List.of(y), ints("perm", 0, 2, 1, 3));
            cur = e.node("Reshape", where, List.of(t, e.constInt64(where + ".l" + layer + ".shape", new long[] {0, 0, -1})));
        }
        return c.batchFirst() ? e.node("Transpose", where, List.of(cur), ints("perm", 1, 0, 2)) : cur;
    }

    private static Tensor reorder(Tensor t, int hidden, int[] order) {
        List<Tensor> blocks = new ArrayList<>();
        for (int g : order) blocks.add(t.narrow(0, g * hidden, hidden));
        return Tensor.cat(blocks, 0).contiguous();
    }
}
