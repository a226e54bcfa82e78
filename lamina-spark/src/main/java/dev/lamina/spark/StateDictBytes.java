package dev.lamina.spark;

import dev.lamina.io.Safetensors;
import dev.lamina.nn.Module;
import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model's state dict as the bytes of a safetensors file: how weights travel between driver and executors and into
 * saved Spark ML models (never Java serialization). Goes through a temporary file, since the format's reader and
 * writer are file-based.
 */
public final class StateDictBytes {
    private StateDictBytes() {
    }

    public static byte[] of(Module model) throws IOException {
        Path tmp = Files.createTempFile("lamina-weights", ".safetensors");
        try {
            Safetensors.write(tmp, model.stateDict());
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static Map<String, Tensor> read(byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile("lamina-weights", ".safetensors");
        try {
            Files.write(tmp, bytes);
            return Safetensors.read(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
