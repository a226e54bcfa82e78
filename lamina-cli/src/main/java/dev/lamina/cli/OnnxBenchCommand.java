package dev.lamina.cli;

import dev.lamina.kernels.Parallel;
import dev.lamina.onnx.NodeProfile;
import dev.lamina.onnx.OnnxModel;
import dev.lamina.tensor.Rng;
import dev.lamina.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lamina onnx bench MODEL}: latency of a model on the inference engine (median, p90, minimum after a warm-up)
 * and where the time goes, per operator and for the slowest nodes of the fused plan.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time MODEL.onnx on Lamina's inference engine: latency (median, p90, min) and the time per operator and per node.",
                "Inputs come from --input files, or are drawn at random (seeded: normal floats, integers 0, bools true) for inputs whose dimensions are all fixed or given with --dim."})
final class OnnxBenchCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.onnx")
    Path model;

    @Option(names = "--input", paramLabel = "NAME=FILE.npy", description = "A graph input and the .npy file that holds it (repeat for each input).")
    List<String> inputs = List.of();

    @Option(names = "--dim", paramLabel = "NAME=SIZE", description = "The size of a symbolic dimension (for example batch=8) for random inputs.")
    List<String> dims = List.of();

    @Option(names = "--runs", defaultValue = "50", description = "Timed runs; default ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS", description = "Seconds of untimed runs first (the JIT compiles the kernels); default ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--threads", description = "Worker threads; default: all cores.")
    Integer threads;

    @Option(names = "--top", defaultValue = "10", description = "Slowest nodes to list; default ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--exact", description = "Load with only the bit-exact rewrites (no batch-norm folding, no σ-family conv epilogues).")
    boolean exact;

    @Override
    public Integer call() throws IOException {
        if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        if (!(warmup >= 0) || Double.isInfinite(warmup)) throw new IllegalArgumentException("--warmup must be a number of seconds ≥ 0, got " + warmup);
        if (top < 0) throw new IllegalArgumentException("--top must be ≥ 0, got " + top);
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        OnnxModel m = OnnxCommand.load(model, exact ? OnnxModel.Optimization.BIT_EXACT : OnnxModel.Optimization.FAST);
        Map<String, Tensor> feeds = feeds(m);

        long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
        int warmRuns = 0;
        do {
            m.run(feeds);
            warmRuns++;
        } while (System.nanoTime() < warmEnd || warmRuns < Math.min(10, Math.max(1, runs / 5)) && warmup > 0);
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            m.run(feeds);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        NodeProfile profile = new NodeProfile();
        for (int i = 0; i < Math.min(runs, 20); i++) m.run(feeds, profile);

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s: %d nodes, %d run (%d folded at load, the rest fused), %d threads%n",
                model, m.nodeCount(), m.executedNodeCount(), m.foldedNodeCount(), Parallel.threads()));
        sb.append(String.format(Locale.ROOT, "latency over %d runs (after %d warm-up runs): median %.3f ms, p90 %.3f ms, min %.3f ms%n",
                runs, warmRuns, ms[runs / 2], ms[Math.min(runs - 1, (int) (runs * 0.9))], ms[0]));
        long total = profile.byOperator().values().stream().mapToLong(Long::longValue).sum();
        Map<String, Integer> counts = profile.nodeCountByOperator();
        sb.append(String.format(Locale.ROOT, "time per operator (%d profiled runs):%n", profile.runs()));
        profile.byOperator().forEach((op, ns) -> sb.append(String.format(Locale.ROOT, "  %-22s %5d nodes %10.3f ms %6.1f%%%n",
                op, counts.get(op), ns / 1e6 / profile.runs(), 100.0 * ns / Math.max(1, total))));
        if (top > 0) {
            sb.append(String.format(Locale.ROOT, "slowest nodes:%n"));
            profile.nodes().stream().limit(top).forEach(e -> sb.append(String.format(Locale.ROOT, "  %10.3f ms  %-20s %s%n",
                    e.millisPerRun(profile.runs()), e.op(), e.node())));
        }
        System.out.print(sb);
        return 0;
    }

    /** The --input files by name (as {@code onnx run} reads them), and seeded random tensors for the other inputs. */
    private Map<String, Tensor> feeds(OnnxModel m) throws IOException {
        Map<String, Tensor> feeds = OnnxCommand.feedsFromFiles(model, m, inputs);
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (String spec : dims) {
            String[] kv = split(spec, "--dim", "NAME=SIZE");
            try {
                int size = Integer.parseInt(kv[1]);
                if (size < 1) throw new NumberFormatException();
                sizes.put(kv[0], size);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--dim " + spec + ": the size must be a positive whole number");
            }
        }
        Rng rng = new Rng(42);
        for (OnnxModel.ValueInfo in : m.inputs()) {
            if (feeds.containsKey(in.name())) continue;
            int[] shape = new int[in.dims().size()];
            for (int d = 0; d < shape.length; d++) {
                String dim = in.dims().get(d);
                Integer size = dim.chars().allMatch(Character::isDigit) && !dim.isEmpty() ? Integer.valueOf(dim) : sizes.get(dim);
                if (size == null) {
                    throw new IllegalArgumentException("input " + in + ": dimension " + d + " is '" + dim + "'; give its size with --dim "
                            + (dim.equals("?") ? "(unnamed: use --input NAME=FILE.npy)" : dim + "=SIZE") + " or the input with --input " + in.name() + "=FILE.npy");
                }
                shape[d] = size;
            }
            boolean floating = in.elementType().startsWith("float") || in.elementType().equals("double") || in.elementType().equals("?");
            boolean bool = in.elementType().equals("bool");
            int count = dev.lamina.tensor.Shape.size(shape);
            boolean[] allTrue = new boolean[bool ? count : 0];
            java.util.Arrays.fill(allTrue, true);
            feeds.put(in.name(), floating ? Tensor.randn(rng, shape) : bool ? Tensor.ofBooleans(allTrue, shape) : Tensor.ofLongs(new long[count], shape));
        }
        return feeds;
    }

    private static String[] split(String spec, String flag, String form) {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) throw new IllegalArgumentException(flag + " expects " + form + ", got '" + spec + "'");
        return new String[] {spec.substring(0, eq), spec.substring(eq + 1)};
    }
}
