package dev.lamina.cli;

import dev.lamina.io.Npy;
import dev.lamina.io.NpyArray;
import dev.lamina.onnx.OnnxModel;
import dev.lamina.tensor.DType;
import dev.lamina.tensor.Shape;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lamina onnx run|info|bench}: run an ONNX model on .npy inputs, describe it, or time it. */
@Command(name = "onnx", mixinStandardHelpOptions = true, description = "Run, inspect or time an ONNX model (opsets 13-20).",
        subcommands = {OnnxCommand.Run.class, OnnxCommand.Info.class, OnnxBenchCommand.class})
final class OnnxCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static OnnxModel load(Path model) throws IOException {
        return load(model, OnnxModel.Optimization.FAST);
    }

    static OnnxModel load(Path model, OnnxModel.Optimization optimization) throws IOException {
        if (!Files.isRegularFile(model)) throw new NoSuchFileException(model.toString(), null, "no such model file");
        return OnnxModel.load(model, optimization);
    }

    /** The graph inputs given as {@code NAME=FILE.npy}: unknown names, missing files and repeats are named. */
    static Map<String, Tensor> feedsFromFiles(Path model, OnnxModel m, List<String> inputs) throws IOException {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        for (String spec : inputs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) throw new IllegalArgumentException("--input expects NAME=FILE.npy, got '" + spec + "'");
            String name = spec.substring(0, eq);
            if (m.inputs().stream().noneMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException("--input " + spec + ": unknown input name '" + name + "'; " + model + " has the inputs "
                        + m.inputs().stream().map(OnnxModel.ValueInfo::toString).collect(java.util.stream.Collectors.joining(", ")));
            }
            Path file = Path.of(spec.substring(eq + 1));
            if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such input file for '" + name + "'");
            NpyArray a = Npy.read(file);
            if (feeds.put(name, Tensor.of(a.data(), a.shapeCopy())) != null) throw new IllegalArgumentException("input '" + name + "' given twice");
        }
        return feeds;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Run MODEL.onnx on .npy inputs; writes DIR/<output name>.npy for every graph output (float32, int64 or bool, as the output's type).")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL.onnx")
        Path model;

        @Option(names = "--input", paramLabel = "NAME=FILE.npy", required = true,
                description = "A graph input and the .npy file that holds it (repeat for each input). Integer inputs (indices) may be int or float arrays of whole numbers.")
        List<String> inputs;

        @Option(names = "--output-dir", paramLabel = "DIR", required = true, description = "Directory for the outputs (created if missing).")
        Path outputDir;

        @Override
        public Integer call() throws IOException {
            OnnxModel m = load(model);
            Map<String, Tensor> feeds = feedsFromFiles(model, m, inputs);
            long start = System.nanoTime();
            Map<String, Tensor> out = m.run(feeds);
            double ms = (System.nanoTime() - start) / 1e6;
            OutputPaths.prepareDirectory("--output-dir", outputDir);
            for (Map.Entry<String, Tensor> e : out.entrySet()) {
                Path f = outputDir.resolve(fileName(e.getKey()) + ".npy");
                Tensor t = e.getValue();
                switch (t.dtype()) {   // each output in its own dtype, as ONNX Runtime would save it
                    case F32 -> Npy.write(f, t.shape(), t.toArray());
                    case I64 -> Npy.write(f, t.shape(), t.toLongArray());
                    case BOOL -> Npy.write(f, t.shape(), t.toBooleanArray());
                }
                System.out.println(e.getKey() + " " + Shape.str(t.shape()) + (t.dtype() == DType.F32 ? "" : " " + t.dtype()) + " -> " + f);
            }
            System.err.printf(Locale.ROOT, "ran %d outputs in %.1f ms%n", out.size(), ms);
            return 0;
        }

        /** The output name as a file name: characters other than letters, digits, '.', '_' and '-' become '_'. */
        static String fileName(String output) {
            String s = output.replaceAll("[^A-Za-z0-9._-]", "_");
            return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Print a model's inputs, outputs, opset and operator counts.")
    static final class Info implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL.onnx")
        Path model;

        @Override
        public Integer call() throws IOException {
            OnnxModel m = load(model);
            StringBuilder sb = new StringBuilder();
            sb.append("model:      ").append(model).append('\n');
            sb.append(String.format(Locale.ROOT, "opset:      %d (IR version %d)%n", m.opset(), m.irVersion()));
            if (!m.producer().isEmpty()) sb.append("producer:   ").append(m.producer()).append('\n');
            sb.append(String.format(Locale.ROOT, "weights:    %,d values (initializers: parameters, statistics, constants)%n", m.parameterCount()));
            sb.append("inputs:\n");
            for (OnnxModel.ValueInfo v : m.inputs()) sb.append("  ").append(v).append('\n');
            sb.append("outputs:\n");
            for (OnnxModel.ValueInfo v : m.outputs()) sb.append("  ").append(v).append('\n');
            sb.append(String.format(Locale.ROOT, "operators (%d nodes):%n", m.nodeCount()));
            for (Map.Entry<String, Integer> e : m.operatorCounts().entrySet()) sb.append(String.format(Locale.ROOT, "  %-22s %d%n", e.getKey(), e.getValue()));
            System.out.print(sb);
            return 0;
        }
    }
}
