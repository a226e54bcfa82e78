package dev.lamina.dashboard;

import dev.lamina.io.JsonTree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One run directory as the dashboard reads it, while it may still be growing: the records of its log
 * ({@link RunLog}), or, for a directory written by PyTorch, TensorFlow or another TensorBoard writer, the scalars,
 * histograms and images of its event files (those in the directory and in its direct subdirectories, whose names
 * prefix the tags, as Keras writes {@code train/} and {@code validation/}). {@link #refresh} picks up what was
 * appended since.
 *
 * <p>A line is taken only once its newline is written, so a line being written is never half read; a last line
 * without a newline (a run killed while writing it) is reported by {@link #problem} and left out. A complete
 * line that is not JSON becomes an {@code event} record naming the file and line, so one bad line loses nothing
 * else.
 */
final class RunSource {
    private final Path dir;
    private final String name;
    private final boolean lamina;
    private final List<String> records = new ArrayList<>();
    private Map<String, Object> settings = Map.of();
    private long offset;
    private int lineNo;
    private final Map<Path, Integer> eventRecordsRead = new LinkedHashMap<>();
    private final Map<Path, Map<String, String>> pluginsByFile = new LinkedHashMap<>();
    private String problem;

    private RunSource(Path dir, String name, boolean lamina) {
        this.dir = dir;
        this.name = name;
        this.lamina = lamina;
    }

    /**
     * Opens {@code dir}.
     *
     * @throws IOException naming the directory when it does not exist or holds no run
     */
    static RunSource open(Path dir, String name) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("run directory " + dir + (Files.exists(dir) ? " is a file, not a directory" : " does not exist"));
        }
        boolean lamina = Files.exists(dir.resolve(RunLog.FILE));
        RunSource s = new RunSource(dir.toRealPath(), name, lamina);
        if (!lamina && s.eventFiles().isEmpty()) {
            throw new IOException("run directory " + dir + " holds no run: neither " + RunLog.FILE + " (written by lamina train --dashboard or --run-dir) nor a TensorBoard event file (events.out.tfevents.*)");
        }
        s.refresh();
        return s;
    }

    Path dir() {
        return dir;
    }

    String name() {
        return name;
    }

    /** "lamina" for a run log, "tensorboard" for event files only. */
    String source() {
        return lamina ? "lamina" : "tensorboard";
    }

    synchronized Map<String, Object> settings() {
        return settings;
    }

    /** Why the last record(s) could not be read yet (a line or event record cut off), or null. */
    synchronized String problem() {
        return problem;
    }

    synchronized int size() {
        return records.size();
    }

    /** Records {@code from} to at most {@code from + max}, each one JSON object. */
    synchronized List<String> records(int from, int max) {
        int to = Math.min(records.size(), from + max);
        return from >= to ? List.of() : new ArrayList<>(records.subList(from, to));
    }

    /** Reads what was appended since the last call; true when there are new records. */
    synchronized boolean refresh() throws IOException {
        int before = records.size();
        if (settings.isEmpty()) readSettings();
        if (lamina) readLog();
        else readEventFiles();
        return records.size() > before;
    }

    private void readSettings() throws IOException {
        Path file = dir.resolve(RunLog.SETTINGS);
        if (lamina && Files.exists(file)) {
            Object parsed = JsonTree.parse(Files.readString(file), file.toString());
            if (parsed instanceof Map<?, ?> m) {
                Map<String, Object> s = new LinkedHashMap<>();
                m.forEach((k, v) -> s.put((String) k, v));
                settings = s;
            }
        } else if (!lamina) {
            settings = Map.of("source", "TensorBoard event files", "files", eventFiles().stream().map(p -> dir.relativize(p).toString()).toList());
        }
    }

    private void readLog() throws IOException {
        Path file = dir.resolve(RunLog.FILE);
        long size = Files.size(file);
        if (size <= offset) return;
        byte[] bytes;
        try (var ch = Files.newByteChannel(file)) {
            ch.position(offset);
            bytes = new byte[(int) Math.min(size - offset, 64L << 20)];
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read what is there now
            }
            if (buf.position() < bytes.length) bytes = java.util.Arrays.copyOf(bytes, buf.position());
        }
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') continue;
            String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
            lineNo++;
            start = i + 1;
            if (line.isBlank()) continue;
            records.add(checked(line, file, lineNo));
        }
        offset += start;
        int tail = bytes.length - start;
        problem = tail == 0 ? null : file.getFileName() + ": line " + (lineNo + 1) + " is incomplete (" + tail
                + " bytes without a newline): the run is writing it now, or was stopped while writing it; everything before it is shown";
    }

    private static String checked(String line, Path file, int lineNo) {
        try {
            if (JsonTree.parse(line, file + " line " + lineNo) instanceof Map<?, ?>) return line;
            return corrupt(file, lineNo, "it is not a JSON object");
        } catch (IOException e) {
            return corrupt(file, lineNo, e.getMessage());
        }
    }

    private static String corrupt(Path file, int lineNo, String why) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "event");
        r.put("event", "unreadable");
        r.put("message", file.getFileName() + " line " + lineNo + " could not be read and is left out: " + why);
        return JsonLine.of(r);
    }

    private void readEventFiles() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path f : eventFiles()) {
            int done = eventRecordsRead.getOrDefault(f, 0);
            TfRecords.Read read;
            try (InputStream in = Files.newInputStream(f)) {
                read = TfRecords.read(in.readAllBytes(), dir.relativize(f).toString());
            }
            if (read.problem() != null) problems.add(read.problem());
            String prefix = f.getParent().equals(dir) ? "" : f.getParent().getFileName() + "/";
            Map<String, String> plugins = pluginsByFile.computeIfAbsent(f, k -> new java.util.HashMap<>());
            for (int i = done; i < read.records().size(); i++) {
                try {
                    for (Map<String, Object> r : TensorBoardEvents.records(read.records().get(i), plugins)) {
                        r.put("tag", prefix + r.get("tag"));
                        records.add(JsonLine.of(r));
                    }
                } catch (IOException e) {
                    problems.add(dir.relativize(f) + ": event record " + i + " is not a valid Event message (" + e.getMessage() + "); left out");
                }
            }
            eventRecordsRead.put(f, read.records().size());
        }
        problem = problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** Event files in the directory and its direct subdirectories, in name order. */
    private List<Path> eventFiles() throws IOException {
        try (Stream<Path> s = Files.find(dir, 2, (p, a) -> a.isRegularFile() && p.getFileName().toString().contains("tfevents"))) {
            return s.sorted().toList();
        }
    }
}
