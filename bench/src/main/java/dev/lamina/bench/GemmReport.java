package dev.lamina.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link GemmBenchmark} and prints a GFLOP/s table (shape × threads). Accepts the usual JMH
 * command-line options (e.g. {@code -wi 2 -i 3 -p shape=sq1024}), which override the annotations.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lamina.bench.GemmReport</pre>
 */
public final class GemmReport {

    private GemmReport() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options cli = new CommandLineOptions(args);
        Options opts = new OptionsBuilder().parent(cli).include(GemmBenchmark.class.getSimpleName()).build();
        Collection<RunResult> results = new Runner(opts).run();

        Map<String, Map<String, Double>> table = new TreeMap<>();
        List<String> order = new ArrayList<>();
        List<String> threadCols = new ArrayList<>();
        for (RunResult rr : results) {
            String shape = rr.getParams().getParam("shape");
            String threads = rr.getParams().getParam("threads");
            double micros = rr.getPrimaryResult().getScore(); // average µs per call
            double gflops = GemmBenchmark.flops(shape) / (micros * 1e3);
            if (!order.contains(shape)) {
                order.add(shape);
            }
            if (!threadCols.contains(threads)) {
                threadCols.add(threads);
            }
            table.computeIfAbsent(shape, s -> new TreeMap<>()).put(threads, gflops);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%n%-18s", "GFLOP/s"));
        for (String t : threadCols) {
            sb.append(String.format("%12s", t + (t.equals("1") ? " thread" : " threads")));
        }
        sb.append('\n');
        for (String shape : order) {
            sb.append(String.format("%-18s", shape));
            for (String t : threadCols) {
                Double g = table.get(shape).get(t);
                sb.append(g == null ? String.format("%12s", "-") : String.format("%12.1f", g));
            }
            sb.append('\n');
        }
        System.out.print(sb);
    }
}
