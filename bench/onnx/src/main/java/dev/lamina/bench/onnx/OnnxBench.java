package dev.lamina.bench.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.lamina.io.Npy;
import dev.lamina.io.NpyArray;
import dev.lamina.kernels.Parallel;
import dev.lamina.onnx.NodeProfile;
import dev.lamina.onnx.OnnxModel;
import dev.lamina.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Batch latency of one ONNX file in Lamina and in ONNX Runtime's Java package, on the same inputs, in one JVM:
 * first Lamina's runs, then ORT's, each engine in its own block (ORT's intra-op pool spins after a run and would
 * steal a core from the other engine if they alternated). Before timing, each engine's output is compared with
 * PyTorch's ({@code NAME.torch.npy}, written by bench/onnx_models.py).
 *
 * <p>Usage: {@code OnnxBench DIR NAME THREADS RUNS}. Prints
 * {@code lamina NAME threads T: median X ms p90 Y ms (max rel err E)} and the same line for {@code ort}.
 */
public final class OnnxBench {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String name = args[1];
        int threads = Integer.parseInt(args[2]), runs = Integer.parseInt(args[3]);
        Path file = dir.resolve(name + ".onnx");
        NpyArray expected = Npy.read(dir.resolve(name + ".torch.npy"));

        Parallel.setThreads(threads);
        OnnxModel model = OnnxModel.load(file);
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (OnnxModel.ValueInfo in : model.inputs()) {
            NpyArray a = Npy.read(dir.resolve(name + "." + in.name() + ".npy"));
            feeds.put(in.name(), Tensor.of(a.data(), a.shape()));
        }
        float[] lamina = model.run(feeds).values().iterator().next().toArray();
        double laminaErr = maxRelErr(lamina, expected.data());
        report("lamina", name, threads, time(runs, () -> model.run(feeds)), laminaErr);
        if (System.getProperty("profile") != null) {
            NodeProfile profile = new NodeProfile();
            for (int i = 0; i < 10; i++) model.run(feeds, profile);
            profile.byOperator().forEach((op, ns) -> System.out.printf("  %-28s %8.3f ms%n", op, ns / 1e6 / profile.runs()));
            profile.nodes().stream().limit(12).forEach(e -> System.out.printf("  %-40s %-20s %8.3f ms%n", e.node(), e.op(), e.millisPerRun(profile.runs())));
        }

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(file.toString(), opts)) {
                Map<String, OnnxTensor> ortFeeds = new LinkedHashMap<>();
                for (Map.Entry<String, NodeInfo> in : session.getInputInfo().entrySet()) {
                    NpyArray a = Npy.read(dir.resolve(name + "." + in.getKey() + ".npy"));
                    ortFeeds.put(in.getKey(), ortTensor(env, a, ((TensorInfo) in.getValue().getInfo()).type));
                }
                float[] ort;
                try (OrtSession.Result r = session.run(ortFeeds)) {
                    ort = flatten(((OnnxTensor) r.get(0)).getFloatBuffer());
                }
                double ortErr = maxRelErr(ort, expected.data());
                report("ort", name, threads, time(runs, () -> {
                    try (OrtSession.Result r = session.run(ortFeeds)) {
                        return r;
                    }
                }), ortErr);
                for (OnnxTensor t : ortFeeds.values()) t.close();
            }
        }
    }

    interface Run {
        Object run() throws Exception;
    }

    /** Milliseconds of {@code runs} timed runs after a warm-up of a fifth as many (at least 3), sorted. */
    static double[] time(int runs, Run r) throws Exception {
        long warmEnd = System.nanoTime() + 2_000_000_000L; // the JIT compiles the kernels first: at least 2 s of runs
        for (int i = 0; i < Math.max(3, runs / 5) || System.nanoTime() < warmEnd; i++) r.run();
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    static void report(String engine, String name, int threads, double[] ms, double err) {
        System.out.printf(Locale.ROOT, "%s %s threads %d: median %.3f ms p90 %.3f ms min %.3f ms (max rel err %.2e)%n",
                engine, name, threads, ms[ms.length / 2], ms[(int) (ms.length * 0.9)], ms[0], err);
    }

    /** max |a−b| / max(|b|) over the output: the error relative to the output's scale. */
    static double maxRelErr(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalStateException("output has " + a.length + " values, PyTorch's " + b.length);
        double scale = 0, err = 0;
        for (float v : b) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
        return err / Math.max(scale, 1e-30);
    }

    static OnnxTensor ortTensor(OrtEnvironment env, NpyArray a, OnnxJavaType type) throws OrtException {
        long[] shape = Arrays.stream(a.shape()).asLongStream().toArray();
        float[] d = a.data();
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(d), shape);
            case INT64 -> {
                long[] v = new long[d.length];
                for (int i = 0; i < d.length; i++) v[i] = (long) d[i];
                yield OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
            }
            case BOOL -> {
                ByteBuffer v = ByteBuffer.allocateDirect(d.length).order(ByteOrder.nativeOrder());
                for (float f : d) v.put((byte) (f != 0 ? 1 : 0));
                v.rewind();
                yield OnnxTensor.createTensor(env, v, shape, OnnxJavaType.BOOL);
            }
            default -> throw new IllegalArgumentException("input type " + type + " is not handled by the benchmark");
        };
    }

    static float[] flatten(FloatBuffer b) {
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    private OnnxBench() {}

    static {
        Locale.setDefault(Locale.ROOT);
    }

}
