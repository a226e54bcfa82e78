package dev.lamina.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Fixtures;
import dev.lamina.Fixtures.Covers;
import dev.lamina.models.Models;
import dev.lamina.nn.Sequential;
import dev.lamina.nn.StateDicts;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by tools/fixtures/make_safetensors_fixtures.py (PyTorch values, hand-written safetensors writer). */
class SafetensorsFixtureTest {
    @TempDir
    Path dir;

    private static final String WEIRD = "we\"ird/na\\me \u00fc\u4e2d";

    private static Path file(String fixture, String name) {
        try {
            return Path.of(SafetensorsFixtureTest.class.getResource("/fixtures/" + fixture + "/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("missing fixture " + fixture + "/" + name + " (run tools/fixtures/make_safetensors_fixtures.py)", e);
        }
    }

    @Test
    @Covers("st_dtypes")
    void everyDtypeConvertsExactly() throws IOException {
        Safetensors.Contents c = Safetensors.readAll(file("st_dtypes", "all.safetensors"));
        assertEquals(Map.of("format", "pt", "note", "dtypes \u00e9"), c.metadata());
        List<String> keys = List.of("bf16", "bool", "empty", "f16", "f32", "f64", "i16", "i32", "i64", "i8", "scalar", "u8", WEIRD);
        assertEquals(keys, new ArrayList<>(c.tensors().keySet()), "header order (sorted by the script)");
        Map<String, String> dtypes = Map.ofEntries(Map.entry("bool", "BOOL"), Map.entry("bf16", "BF16"), Map.entry("empty", "F32"),
                Map.entry("f16", "F16"), Map.entry("f32", "F32"), Map.entry("f64", "F64"), Map.entry("i16", "I16"),
                Map.entry("i32", "I32"), Map.entry("i64", "I64"), Map.entry("i8", "I8"), Map.entry("scalar", "F32"),
                Map.entry("u8", "U8"), Map.entry(WEIRD, "F32"));
        assertEquals(dtypes, c.dtypes());
        for (String k : keys) {
            NpyArray ref = Fixtures.load("st_dtypes", k.equals(WEIRD) ? "weird" : k);
            Tensor t = c.tensors().get(k);
            assertArrayEquals(ref.shape(), t.shape(), k + ": shape");
            SafetensorsTest.assertBitsEqual(k, ref.data(), t.toArray());
        }
        // the F16 and BF16 cases include subnormals, infinities, -0 and rounding ties: check they are really there
        float[] f16 = c.tensors().get("f16").toArray();
        assertTrue(hasSubnormalHalf(f16), "f16 fixture has half-precision subnormals");
    }

    private static boolean hasSubnormalHalf(float[] v) {
        for (float x : v) if (x != 0 && Math.abs(x) < 6.103515625e-05f) return true;
        return false;
    }

    @Test
    @Covers("st_mlp")
    void pytorchMlpGivesTheSameOutputs() throws IOException {
        Sequential model = Models.mlp(new Rng(1));
        StateDicts.LoadResult r = model.loadStateDict(Safetensors.read(file("st_mlp", "model.safetensors")), true);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        assertEquals(Map.of("format", "pt", "model", "mlp"), Safetensors.readMetadata(file("st_mlp", "model.safetensors")));
        model.eval();
        Fixtures.assertMatches("st_mlp", "out", model.forward(Fixtures.tensor("st_mlp", "x")));
        roundTrip(model);
    }

    @Test
    @Covers("st_cnn")
    void pytorchCnnGivesTheSameOutputs() throws IOException {
        Sequential model = Models.cnn(new Rng(1));
        Safetensors.Contents c = Safetensors.readAll(file("st_cnn", "model.safetensors"));
        assertEquals("F16", c.dtypes().get("2.weight"));
        assertEquals("I64", c.dtypes().get("3.num_batches_tracked"));
        model.loadStateDict(c.tensors(), true);
        assertEquals(7f, model.stateDict().get("7.num_batches_tracked").item());
        model.eval();
        Fixtures.assertMatches("st_cnn", "out", model.forward(Fixtures.tensor("st_cnn", "x")));
        roundTrip(model);
    }

    /** Saving the loaded model and loading it into a fresh one gives bit-identical outputs. */
    private void roundTrip(Sequential model) throws IOException {
        Path p = dir.resolve("saved.safetensors");
        Safetensors.write(p, model.stateDict(), Map.of("format", "pt"));
        Sequential fresh = model.stateDict().containsKey("2.weight") ? Models.cnn(new Rng(9)) : Models.mlp(new Rng(9));
        fresh.loadStateDict(Safetensors.read(p), true);
        fresh.eval();
        Tensor x = Fixtures.tensor(model.stateDict().containsKey("2.weight") ? "st_cnn" : "st_mlp", "x");
        SafetensorsTest.assertBitsEqual("reloaded model output", model.forward(x).toArray(), fresh.forward(x).toArray());
    }
}
