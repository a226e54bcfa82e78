package dev.lamina.onnx;

import dev.lamina.nn.Linear;
import dev.lamina.nn.Module;
import dev.lamina.nn.ReLU;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ONNX export is a registry of per-family exporters: a user's own layer exports once it registers one. */
class OnnxExportRegistryTest {
    /** y = scale · x + shift: a user's layer Lamina knows nothing about. */
    static final class Affine extends Module {
        final float scale, shift;

        Affine(float scale, float shift) {
            this.scale = scale;
            this.shift = shift;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(scale).add(shift);
        }
    }

    /** Never registered. */
    static final class Unknown extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    @Test
    void aRegisteredExporterExportsAUsersLayerAndTheImportMatches() {
        OnnxExport.register(Affine.class, (e, prefix, where, layer, x, y) -> {
            String scaled = e.node("Mul", where, List.of(x.name(), e.constFloat(where + ".scale", layer.scale)));
            return e.node("Add", where, List.of(scaled, e.constFloat(where + ".shift", layer.shift)));
        });
        Sequential model = new Sequential(new Linear(4, 3, true, new Rng(1)), new Affine(2.5f, -1f), new ReLU());
        Tensor x = Tensor.randn(new Rng(2), 5, 4);
        OnnxModel imported = OnnxModel.parse(OnnxExport.toModelProto(model, new int[] {5, 4}).toByteArray());
        float[] got = imported.run(Map.of("input", x)).get("output").toArray();
        float[] want = model.forward(x).toArray();
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-6f, "element " + i);
        assertArrayEquals(new String[] {"Gemm", "Mul", "Add", "Relu"},
                OnnxExport.toModelProto(model, new int[] {5, 4}).getGraph().getNodeList().stream().map(n -> n.getOpType()).toArray());
    }

    @Test
    void aLayerWithoutAnExporterIsNamedWithItsPath() {
        Sequential model = new Sequential(new Linear(4, 3, true, new Rng(1)), new Unknown());
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.toModelProto(model, new int[] {1, 4}));
        assertTrue(e.getMessage().contains("cannot export 1 (Unknown): no ONNX mapping for this layer (OnnxExport.register adds one)"), e.getMessage());
    }
}
