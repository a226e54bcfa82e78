package dev.lamina.cli;

import static dev.lamina.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** {@code lamina onnx bench}: latency and the time per operator and node, on random or given inputs; bad flags named. */
class OnnxBenchCliTest {
    private static final Path FIXTURES = Path.of("..", "lamina-onnx", "src", "test", "resources", "fixtures");

    private static String model(String fixture) {
        return FIXTURES.resolve(fixture).resolve("model.onnx").toString();
    }

    @Test
    void timesARealArchitectureOnRandomInputsAndShowsWhereTheTimeGoes() {
        CliRun r = run("onnx", "bench", model("infer_resnet_basic"), "--runs", "5", "--warmup", "0", "--threads", "1", "--top", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("latency over 5 runs"), r.out());
        assertTrue(r.out().matches("(?s).*median [0-9.]+ ms, p90 [0-9.]+ ms, min [0-9.]+ ms.*"), r.out());
        assertTrue(r.out().contains("lamina.Conv"), "fused convolutions are listed under their operator: " + r.out());
        assertTrue(r.out().contains("slowest nodes:"), r.out());
        assertEquals(3, r.out().lines().dropWhile(l -> !l.startsWith("slowest nodes:")).skip(1).count(), r.out());
    }

    @Test
    void givenInputsAndSymbolicDimensions() {
        Path fx = FIXTURES.resolve("infer_bert");
        CliRun given = run("onnx", "bench", model("infer_bert"), "--input", "in0=" + fx.resolve("in0.npy"), "--input", "in1=" + fx.resolve("in1.npy"),
                "--runs", "3", "--warmup", "0");
        assertEquals(0, given.code(), given.err());
        assertTrue(given.out().contains("lamina.Attention"), given.out());
        // onnx_mlp's batch dimension is symbolic: random inputs need its size
        CliRun missing = run("onnx", "bench", model("onnx_mlp"), "--runs", "2", "--warmup", "0");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("in0") && missing.err().contains("--dim batch=SIZE"), missing.err());
        CliRun sized = run("onnx", "bench", model("onnx_mlp"), "--dim", "batch=4", "--runs", "2", "--warmup", "0");
        assertEquals(0, sized.code(), sized.err());
    }

    @Test
    void badFlagsAreNamed() {
        String m = model("infer_resnet_basic");
        CliRun runs = run("onnx", "bench", m, "--runs", "0");
        assertTrue(runs.code() != 0 && runs.err().contains("--runs"), runs.err());
        CliRun dim = run("onnx", "bench", model("onnx_mlp"), "--dim", "batch=-2");
        assertTrue(dim.code() != 0 && dim.err().contains("--dim batch=-2"), dim.err());
        CliRun unknown = run("onnx", "bench", m, "--input", "nope=x.npy");
        assertTrue(unknown.code() != 0 && unknown.err().contains("unknown input name 'nope'") && unknown.err().contains("in0"), unknown.err());
        CliRun absent = run("onnx", "bench", "absent.onnx");
        assertTrue(absent.code() != 0 && absent.err().contains("absent.onnx"), absent.err());
    }
}
