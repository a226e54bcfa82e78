package dev.lamina.onnx;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.nn.MultiheadAttention;
import dev.lamina.nn.Sequential;
import dev.lamina.tensor.Rng;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter writes attention for the packed {@code in_proj_weight} only: a MultiheadAttention with kdim/vdim
 * (separate q/k/v projection weights) is refused with an error naming the layer and its sizes, and no file is written.
 */
class OnnxAttentionLayoutTest {
    @TempDir
    Path dir;

    private static void assertMessage(RuntimeException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    @Test
    void separateProjectionWeightsAreRefused() {
        MultiheadAttention mha = new MultiheadAttention(8, 2, 0.0, true, 5, 3, true, new Rng(1));
        Path file = dir.resolve("mha_kv.onnx");
        for (boolean causal : new boolean[] {false, true}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.export(mha, new int[] {2, 4, 8}, causal, file));
            assertMessage(e, "export", "MultiheadAttention", "packed in_proj_weight", "embed_dim 8", "kdim 5", "vdim 3");
        }
        assertFalse(Files.exists(file), "nothing written");
    }

    /** kdim = embed_dim but vdim different: PyTorch's separate layout too, so also refused; nested, the layer's path is named. */
    @Test
    void separateLayoutInsideAModelIsRefusedByPath() {
        Sequential model = new Sequential(new MultiheadAttention(8, 2, 0.0, false, 8, 6, false, new Rng(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.export(model, new int[] {4, 2, 8}, false, dir.resolve("seq.onnx")));
        assertMessage(e, "0 (MultiheadAttention)", "kdim 8", "vdim 6");
    }
}
