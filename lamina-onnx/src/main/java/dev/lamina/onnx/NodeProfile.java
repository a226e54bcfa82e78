package dev.lamina.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per executed node over one or more {@link OnnxModel#run(Map, NodeProfile)} calls, so a user can see
 * where a model's time goes. Nodes are those of the execution plan: a fused chain is one node, named after the
 * node it replaced with its fused operator (for example {@code lamina.ConvRelu}).
 */
public final class NodeProfile {
    /** Total time of one plan node over the profiled runs. */
    public record Entry(String node, String op, long nanos, int calls) {
        public double millisPerRun(int runs) {
            return nanos / 1e6 / runs;
        }
    }

    private final Map<String, long[]> byNode = new LinkedHashMap<>();
    private final Map<String, String> opOf = new LinkedHashMap<>();
    private int runs;

    void add(GraphNode node, long nanos) {
        long[] t = byNode.computeIfAbsent(node.name, k -> new long[2]);
        t[0] += nanos;
        t[1]++;
        opOf.putIfAbsent(node.name, node.op);
    }

    void endRun() {
        runs++;
    }

    /** Profiled runs. */
    public int runs() {
        return runs;
    }

    /** Every node, slowest first. */
    public List<Entry> nodes() {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byNode.entrySet()) {
            out.add(new Entry(e.getKey(), opOf.get(e.getKey()), e.getValue()[0], (int) e.getValue()[1]));
        }
        out.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return out;
    }

    /** Total nanoseconds per operator, slowest first. */
    public Map<String, Long> byOperator() {
        Map<String, Long> sums = new TreeMap<>();
        for (Entry e : nodes()) sums.merge(e.op(), e.nanos(), Long::sum);
        Map<String, Long> sorted = new LinkedHashMap<>();
        sums.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** Nodes of each operator. */
    public Map<String, Integer> nodeCountByOperator() {
        Map<String, Integer> counts = new TreeMap<>();
        for (String op : opOf.values()) counts.merge(op, 1, Integer::sum);
        return counts;
    }
}
