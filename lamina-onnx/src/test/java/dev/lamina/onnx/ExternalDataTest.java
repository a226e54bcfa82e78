package dev.lamina.onnx;

import dev.lamina.tensor.Tensor;
import onnx.Onnx.ModelProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Models whose weights live in external data files (tools/fixtures/make_external_fixtures.py: infer_efficientnet
 * re-saved with every initializer in one weights.bin, and with one file per initializer as torch.onnx.export writes
 * models above 2 GB), and the files an attacker or a broken copy could hand over.
 */
class ExternalDataTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"external_one_file", "external_per_tensor"})
    void externalWeightsGiveTheSameResultsAsWeightsInTheModel(String fixture) throws IOException {
        OnnxFixtures.runAndCompare(fixture, 17);
        Map<String, Tensor> inside = OnnxModel.load(OnnxFixtures.dir("infer_efficientnet").resolve("model.onnx")).run(OnnxFixtures.inputs(fixture));
        Map<String, Tensor> outside = OnnxModel.load(OnnxFixtures.dir(fixture).resolve("model.onnx")).run(OnnxFixtures.inputs(fixture));
        assertArrayEquals(inside.get("out0").toArray(), outside.get("out0").toArray());
    }

    /** A copy of external_one_file in a fresh directory, with the model's first external initializer edited. */
    private Path copyWithFirstTensor(UnaryOperator<TensorProto> edit) throws IOException {
        Path src = OnnxFixtures.dir("external_one_file");
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.copy(src.resolve("weights.bin"), dir.resolve("weights.bin"), StandardCopyOption.REPLACE_EXISTING);
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(src.resolve("model.onnx")));
        ModelProto.Builder b = m.toBuilder();
        b.getGraphBuilder().setInitializer(0, edit.apply(m.getGraph().getInitializer(0)));
        Path model = dir.resolve("model.onnx");
        Files.write(model, b.build().toByteArray());
        return model;
    }

    private static TensorProto withEntry(TensorProto t, String key, String value) {
        TensorProto.Builder b = t.toBuilder().clearExternalData();
        boolean set = false;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            if (e.getKey().equals(key)) {
                b.addExternalData(e.toBuilder().setValue(value));
                set = true;
            } else {
                b.addExternalData(e);
            }
        }
        if (!set) b.addExternalData(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
        return b.build();
    }

    private static void assertRejected(Path model, String... parts) {
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxModel.load(model));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(model.toString()), e.getMessage());
    }

    @Test
    void aLocationOutsideTheModelsDirectoryIsRefused() throws IOException {
        Files.writeString(tmp.resolve("secret.bin"), "x".repeat(4096));
        String name = ModelProto.parseFrom(Files.readAllBytes(OnnxFixtures.dir("external_one_file").resolve("model.onnx"))).getGraph().getInitializer(0).getName();
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "location", "../secret.bin")), "'" + name + "'", "'../secret.bin'", "outside the model's directory");
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "location", tmp.resolve("secret.bin").toString())), "outside the model's directory");
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "location", "sub/../../secret.bin")), "outside the model's directory");
    }

    @Test
    void aSymbolicLinkIsRefused() throws IOException {
        Path model = copyWithFirstTensor(t -> withEntry(t, "location", "link.bin"));
        Files.createSymbolicLink(model.resolveSibling("link.bin"), tmp.resolve("nowhere.bin"));
        assertRejected(model, "'link.bin'", "symbolic link");
    }

    @Test
    void missingTruncatedAndMislabelledDataAreRejected() throws IOException {
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "location", "gone.bin")), "'gone.bin' does not exist");
        Path model = copyWithFirstTensor(UnaryOperator.identity());
        Path weights = model.resolveSibling("weights.bin");
        Files.write(weights, java.util.Arrays.copyOf(Files.readAllBytes(weights), 100));
        assertRejected(model, "has 100 bytes", "truncated");
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "length", "3")), "says length 3");
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "offset", "-8")), "offset '-8', not a byte count");
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "location", "")), "names no location");
        assertRejected(copyWithFirstTensor(t -> withEntry(t, "location", "bad\0name.bin")), "is not a valid path");
    }

    @Test
    void bytesWithoutTheirDirectoryExplainHowToLoad() throws IOException {
        byte[] bytes = Files.readAllBytes(OnnxFixtures.dir("external_one_file").resolve("model.onnx"));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxModel.parse(bytes));
        assertTrue(e.getMessage().contains("external file 'weights.bin'") && e.getMessage().contains("OnnxModel.load(path)"), e.getMessage());
    }

    @Test
    void externalFixturesReallyKeepTheirWeightsOutside() throws IOException {
        for (String f : new String[] {"external_one_file", "external_per_tensor"}) {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(OnnxFixtures.dir(f).resolve("model.onnx")));
            assertTrue(m.getGraph().getInitializerCount() > 30);
            for (TensorProto t : m.getGraph().getInitializerList()) {
                assertEquals(TensorProto.DataLocation.EXTERNAL, t.getDataLocation(), f + ": " + t.getName());
                assertFalse(t.hasRawData());
            }
            try (Stream<Path> s = Files.list(OnnxFixtures.dir(f))) {
                assertEquals(f.endsWith("one_file") ? 1 : m.getGraph().getInitializerCount(),
                        s.filter(p -> !p.getFileName().toString().matches("model\\.onnx|(in|out)\\d+\\.npy")).count());
            }
        }
    }
}
