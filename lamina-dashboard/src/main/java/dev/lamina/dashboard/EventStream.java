package dev.lamina.dashboard;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code GET /api/stream}: the records of every run as server-sent events, first all there are, then new ones as
 * they are written. Each event is
 * <pre>
 * id: N0.N1...            records of run 0, run 1, ... delivered once this event is read
 * event: records
 * data: {"run": I, "from": F, "records": [...], "problem": null or why the last line waits}
 * </pre>
 * A browser that loses the connection reconnects with that id as {@code Last-Event-ID} (or a client passes
 * {@code ?cursor=N0.N1...}) and gets exactly the records after it. A cursor that does not fit these runs (another
 * set of runs, more records than exist) gets an {@code event: reset} first and everything from the start. A
 * comment line every {@value #PING_SECONDS} s keeps idle connections open and notices closed ones.
 */
final class EventStream {
    static final int PING_SECONDS = 15;
    /** Records per event, so a long run's history arrives in pieces the page can draw as they come. */
    static final int BATCH = 500;

    private final List<RunSource> runs;
    private final Object lock = new Object();
    private long version;
    private boolean closed;

    EventStream(List<RunSource> runs) {
        this.runs = runs;
    }

    /** Wakes the streams: a run has new records. */
    void changed() {
        synchronized (lock) {
            version++;
            lock.notifyAll();
        }
    }

    void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    void serve(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getQuery();
        String given = ex.getRequestHeaders().getFirst("Last-Event-ID");
        if (given == null && query != null && query.startsWith("cursor=")) given = query.substring("cursor=".length());
        int[] cursor = parse(given);
        boolean reset = given != null && !given.isEmpty() && cursor == null;
        if (cursor == null) cursor = new int[runs.size()];
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        write(out, "retry: 1000\n\n");
        if (reset) write(out, "event: reset\ndata: {\"reason\":\"the cursor " + given.replaceAll("[^0-9.]", "?") + " does not fit these runs; starting over\"}\n\n");
        out.flush();
        long seen = -1;
        while (true) {
            boolean sent = false;
            for (int i = 0; i < runs.size(); i++) {
                RunSource run = runs.get(i);
                List<String> records = run.records(cursor[i], BATCH);
                if (records.isEmpty()) continue;
                int from = cursor[i];
                cursor[i] += records.size();
                StringBuilder data = new StringBuilder(64 + records.size() * 200);
                data.append("{\"run\":").append(i).append(",\"from\":").append(from).append(",\"problem\":");
                String problem = run.problem();
                if (problem == null) data.append("null");
                else JsonLine.string(data, problem);
                data.append(",\"records\":[").append(String.join(",", records)).append("]}");
                write(out, "id: " + id(cursor) + "\nevent: records\ndata: " + data + "\n\n");
                sent = true;
            }
            out.flush();
            if (sent) continue;
            synchronized (lock) {
                if (closed) return;
                if (version == seen) {
                    try {
                        lock.wait(PING_SECONDS * 1000L);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (closed) return;
                    if (version == seen) {
                        write(out, ": ping\n\n");
                        out.flush();
                    }
                }
                seen = version;
            }
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    static String id(int[] cursor) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cursor.length; i++) {
            if (i > 0) sb.append('.');
            sb.append(cursor[i]);
        }
        return sb.toString();
    }

    /** The cursor of an event id, or null when absent or when it does not fit these runs. */
    private int[] parse(String id) {
        if (id == null || id.isEmpty()) return null;
        String[] parts = id.split("\\.", -1);
        if (parts.length != runs.size()) return null;
        int[] c = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                c[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (c[i] < 0 || c[i] > runs.get(i).size()) return null;
        }
        return c;
    }
}
