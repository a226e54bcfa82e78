package dev.lamina.dashboard;

import dev.lamina.io.JsonTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A run's records for download: all of them as one JSON array, or the scalar ones (step, epoch, scalar) as CSV. */
final class RunExport {
    private static final Set<String> CSV_TYPES = Set.of("step", "epoch", "scalar");

    private RunExport() {
    }

    static String json(RunSource run) {
        return "[" + String.join(",\n", run.records(0, Integer.MAX_VALUE)) + "]\n";
    }

    /**
     * One row per step, epoch or scalar record; the columns are every number or text key any of them has (lists,
     * such as the confusion matrix, are in the JSON download), in the order first seen; missing values are empty.
     */
    static String csv(RunSource run) {
        List<Map<?, ?>> rows = new ArrayList<>();
        Set<String> columns = new LinkedHashSet<>();
        for (String line : run.records(0, Integer.MAX_VALUE)) {
            Map<?, ?> r;
            try {
                r = (Map<?, ?>) JsonTree.parse(line, run.name());
            } catch (IOException e) {
                continue;   // RunSource keeps only lines that parse
            }
            if (!CSV_TYPES.contains(String.valueOf(r.get("type")))) continue;
            Map<String, Object> flat = new LinkedHashMap<>();
            r.forEach((k, v) -> {
                if (!(v instanceof List) && !(v instanceof Map)) {
                    flat.put((String) k, v);
                    columns.add((String) k);
                }
            });
            rows.add(flat);
        }
        StringBuilder sb = new StringBuilder(String.join(",", columns.stream().map(RunExport::cell).toList())).append('\n');
        for (Map<?, ?> row : rows) {
            boolean first = true;
            for (String c : columns) {
                if (!first) sb.append(',');
                first = false;
                Object v = row.get(c);
                if (v != null) sb.append(cell(v.toString()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String cell(String s) {
        return s.matches("[A-Za-z0-9_.+-]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
