package dev.lamina.onnx;

import static dev.lamina.onnx.TestGraphs.floatValue;
import static dev.lamina.onnx.TestGraphs.floats;
import static dev.lamina.onnx.TestGraphs.int64s;
import static dev.lamina.onnx.TestGraphs.model;
import static dev.lamina.onnx.TestGraphs.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * ONNX LSTM/GRU paths the PyTorch fixtures do not reach: sequence_lens (masking, both directions), LSTM peepholes
 * and GRU with linear_before_reset=0 (the step-by-step path), checked against independent computations.
 */
class RnnOpsTest {
    private static final int SEQ = 5, BATCH = 2, IN = 3, H = 4;

    private static float[] random(Rng rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() - 0.5);
        return a;
    }

    private static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }

    /** Runs one LSTM/GRU node on x; returns {Y, Y_h}. */
    private static Tensor[] run(String op, int dirs, float[] w, float[] r, float[] b, float[] p, long[] lens, Tensor x, AttributeProto... attrs) {
        int gates = op.equals("LSTM") ? 4 : 3;
        List<TensorProto> inits = new ArrayList<>(List.of(floats("W", w, dirs, gates * H, IN), floats("R", r, dirs, gates * H, H), floats("B", b, dirs, 2 * gates * H)));
        List<String> ins = new ArrayList<>(List.of("X", "W", "R", "B"));
        if (lens != null || p != null) {
            ins.add(lens == null ? "" : "lens");
            if (lens != null) inits.add(int64s("lens", lens, lens.length));
        }
        if (p != null) {
            ins.addAll(List.of("", "", "P"));
            inits.add(floats("P", p, dirs, 3 * H));
        }
        List<AttributeProto> a = new ArrayList<>(List.of(attrs));
        a.add(TestGraphs.intAttr("hidden_size", H));
        NodeProto nd = node(op, "rnn", ins, List.of("Y", "Y_h"), a.toArray(AttributeProto[]::new));
        var m = model(17, List.of(nd), inits, List.of(floatValue("X", SEQ, BATCH, IN)), List.of(floatValue("Y", SEQ, dirs, BATCH, H), floatValue("Y_h", dirs, BATCH, H)));
        Map<String, Tensor> out = OnnxModel.parse(m.toByteArray()).run(Map.of("X", x));
        return new Tensor[] {out.get("Y"), out.get("Y_h")};
    }

    @Test
    void sequenceLensMaskBothDirections() {
        Rng rng = new Rng(1);
        float[] w = random(rng, 2 * 4 * H * IN), r = random(rng, 2 * 4 * H * H), b = random(rng, 2 * 8 * H);
        Tensor x = Tensor.of(random(rng, SEQ * BATCH * IN), SEQ, BATCH, IN);
        Tensor[] masked = run("LSTM", 2, w, r, b, null, new long[] {5, 3}, x, str("direction", "bidirectional"));
        // row 1 alone, cut to its 3 steps, must give the same states
        Tensor x1 = x.narrow(1, 1, 1).narrow(0, 0, 3).contiguous();
        Tensor[] alone = runShort(w, r, b, x1);
        for (int t = 0; t < SEQ; t++) {
            for (int d = 0; d < 2; d++) {
                float[] got = masked[0].select(0, t).select(0, d).select(0, 1).contiguous().toArray();
                float[] want = t < 3 ? alone[0].select(0, t).select(0, d).select(0, 0).contiguous().toArray() : new float[H];
                assertArrayEquals(want, got, 1e-6f, "step " + t + " direction " + d);
            }
        }
        assertArrayEquals(alone[1].select(1, 0).contiguous().toArray(), masked[1].select(1, 1).contiguous().toArray(), 1e-6f);
    }

    /** The bidirectional LSTM on a 3-step, 1-row input (a separate graph with its own shapes). */
    private static Tensor[] runShort(float[] w, float[] r, float[] b, Tensor x) {
        var nd = node("LSTM", "rnn", List.of("X", "W", "R", "B"), List.of("Y", "Y_h"), str("direction", "bidirectional"), TestGraphs.intAttr("hidden_size", H));
        var m = model(17, List.of(nd), List.of(floats("W", w, 2, 4 * H, IN), floats("R", r, 2, 4 * H, H), floats("B", b, 2, 8 * H)),
                List.of(floatValue("X", 3, 1, IN)), List.of(floatValue("Y", 3, 2, 1, H), floatValue("Y_h", 2, 1, H)));
        Map<String, Tensor> out = OnnxModel.parse(m.toByteArray()).run(Map.of("X", x));
        return new Tensor[] {out.get("Y"), out.get("Y_h")};
    }

    @Test
    void zeroPeepholesMatchTheFusedLstm() {
        Rng rng = new Rng(2);
        float[] w = random(rng, 4 * H * IN), r = random(rng, 4 * H * H), b = random(rng, 8 * H);
        Tensor x = Tensor.of(random(rng, SEQ * BATCH * IN), SEQ, BATCH, IN);
        for (String dir : new String[] {"forward", "reverse"}) {
            Tensor[] fused = run("LSTM", 1, w, r, b, null, null, x, str("direction", dir));
            Tensor[] steps = run("LSTM", 1, w, r, b, new float[3 * H], null, x, str("direction", dir));
            assertArrayEquals(fused[0].toArray(), steps[0].toArray(), 1e-6f, dir);
            assertArrayEquals(fused[1].toArray(), steps[1].toArray(), 1e-6f, dir);
        }
        // and non-zero peepholes do change the result (the path really uses P)
        Tensor[] peep = run("LSTM", 1, w, r, b, random(rng, 3 * H), null, x);
        assertTrue(OnnxFixtures.relativeError(peep[0].toArray(), run("LSTM", 1, w, r, b, null, null, x)[0].toArray()) > 1e-3);
    }

    @Test
    void gruWithoutLinearBeforeResetMatchesItsEquations() {
        Rng rng = new Rng(3);
        float[] w = random(rng, 3 * H * IN), r = random(rng, 3 * H * H), b = random(rng, 6 * H);
        Tensor x = Tensor.of(random(rng, SEQ * BATCH * IN), SEQ, BATCH, IN);
        Tensor y = run("GRU", 1, w, r, b, null, null, x, TestGraphs.intAttr("linear_before_reset", 0))[0];
        // ONNX's equations, gates (z, r, h), in double, scalar loops
        float[] xs = x.toArray(), ys = y.toArray();
        double[][] h = new double[BATCH][H];
        for (int t = 0; t < SEQ; t++) {
            for (int bi = 0; bi < BATCH; bi++) {
                double[] z = new double[H], rr = new double[H], hn = new double[H];
                for (int j = 0; j < H; j++) {
                    z[j] = sigmoid(dotX(w, 0 * H + j, xs, t, bi) + dotH(r, 0 * H + j, h[bi]) + b[j] + b[3 * H + j]);
                    rr[j] = sigmoid(dotX(w, H + j, xs, t, bi) + dotH(r, H + j, h[bi]) + b[H + j] + b[4 * H + j]);
                }
                double[] rh = new double[H];
                for (int j = 0; j < H; j++) rh[j] = rr[j] * h[bi][j];
                for (int j = 0; j < H; j++) hn[j] = Math.tanh(dotX(w, 2 * H + j, xs, t, bi) + dotH(r, 2 * H + j, rh) + b[2 * H + j] + b[5 * H + j]);
                for (int j = 0; j < H; j++) {
                    h[bi][j] = (1 - z[j]) * hn[j] + z[j] * h[bi][j];
                    assertEquals(h[bi][j], ys[(t * BATCH + bi) * H + j], 1e-5, "t=" + t + " b=" + bi + " j=" + j);
                }
            }
        }
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    private static double dotX(float[] w, int row, float[] xs, int t, int b) {
        double s = 0;
        for (int k = 0; k < IN; k++) s += w[row * IN + k] * xs[(t * BATCH + b) * IN + k];
        return s;
    }

    private static double dotH(float[] r, int row, double[] h) {
        double s = 0;
        for (int k = 0; k < H; k++) s += r[row * H + k] * h[k];
        return s;
    }
}
