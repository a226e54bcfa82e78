package dev.lamina.onnx.fuzz;

import dev.lamina.onnx.OnnxException;
import dev.lamina.onnx.OnnxModel;
import dev.lamina.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * Jazzer fuzz target for {@link OnnxModel#parse(byte[])}: any input must load or be rejected with an
 * {@link OnnxException}. A model that loads is also run once on small all-ones inputs (declared dims, symbolic
 * ones as 2; skipped above 65,536 elements per input), where again only an {@link OnnxException} may escape.
 * Every other throwable, a hang or an OutOfMemoryError is a finding. Run by {@code tools/fuzz.sh}; not part of
 * the unit tests.
 */
public final class OnnxFuzzTarget {
    private OnnxFuzzTarget() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        OnnxModel m;
        try {
            m = OnnxModel.parse(data);
        } catch (OnnxException expected) {
            checkMessage(expected);
            return;
        }
        Map<String, Tensor> feeds = new HashMap<>();
        for (OnnxModel.ValueInfo in : m.inputs()) {
            int[] shape = new int[in.dims().size()];
            long n = 1;
            for (int d = 0; d < shape.length; d++) {
                String s = in.dims().get(d);
                shape[d] = !s.isEmpty() && s.length() < 6 && s.chars().allMatch(Character::isDigit) ? Integer.parseInt(s) : 2;
                n *= Math.max(1, shape[d]);
            }
            if (n > 1 << 16) return;
            feeds.put(in.name(), Tensor.full(1f, shape));
        }
        try {
            m.run(feeds);
        } catch (OnnxException expected) {
            checkMessage(expected);
        }
    }

    private static void checkMessage(OnnxException e) {
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) throw new IllegalStateException("rejection without a message: " + e, e);
    }
}
