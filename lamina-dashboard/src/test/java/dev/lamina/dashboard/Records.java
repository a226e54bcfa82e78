package dev.lamina.dashboard;

import dev.lamina.io.JsonTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helpers: a run's records parsed, and filtered by type. */
final class Records {
    private Records() {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> all(RunSource run) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : run.records(0, Integer.MAX_VALUE)) out.add((Map<String, Object>) JsonTree.parse(line, run.name()));
        return out;
    }

    static List<Map<String, Object>> ofType(List<Map<String, Object>> records, String type) {
        return records.stream().filter(r -> type.equals(r.get("type"))).toList();
    }

    static double num(Map<String, Object> r, String key) {
        Object v = r.get(key);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }
}
