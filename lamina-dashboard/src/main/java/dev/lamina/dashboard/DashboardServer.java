package dev.lamina.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard: the JDK's HTTP server on {@code host:port} (127.0.0.1 unless told otherwise) showing one or more
 * run directories, live while they grow.
 * <pre>
 * GET /                         overview: loss, metrics, learning rate, gradient norm, throughput, ETA, confusion matrix
 * GET /layers                   per-layer histograms over time and update ratios
 * GET /explain/I                run I's explain.html (written by lamina explain), or a page saying there is none yet
 * GET /static/NAME              the bundled script, style and uPlot
 * GET /api/runs                 the runs: name, directory, settings, record count, problems
 * GET /api/runs/I/records.json  every record of run I, as a JSON array
 * GET /api/runs/I/metrics.csv   run I's step, epoch and scalar records as CSV
 * GET /api/stream               server-sent events ({@link EventStream}), resumable by Last-Event-ID
 * GET /runs/I/files/PATH        a file of run I's directory; nothing outside it
 * </pre>
 */
public final class DashboardServer implements Closeable {
    /** How often run directories are read for new records. */
    static final long POLL_MILLIS = 200;

    private final HttpServer http;
    private final List<RunSource> runs;
    private final ExecutorService workers;
    private final ScheduledExecutorService poller;
    private final EventStream stream;

    private DashboardServer(HttpServer http, List<RunSource> runs) {
        this.http = http;
        this.runs = runs;
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lamina-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lamina-dashboard-poll");
            t.setDaemon(true);
            return t;
        });
        this.stream = new EventStream(runs);
        http.setExecutor(workers);
        http.createContext("/", this::handle);
    }

    /**
     * Opens the run directories and starts serving them.
     *
     * @param host the address to listen on; give a non-loopback one (0.0.0.0) only to share the dashboard
     * @param port the port; 0 for any free one
     * @throws PortInUseException when the port is taken, naming a free one
     * @throws IOException        when a directory holds no run, or the host is unknown
     */
    public static DashboardServer start(String host, int port, List<Path> runDirs) throws IOException {
        if (runDirs.isEmpty()) throw new IllegalArgumentException("the dashboard needs at least one run directory");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535, got " + port);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IOException("unknown host '" + host + "' for the dashboard (127.0.0.1 serves this machine only)", e);
        }
        List<RunSource> runs = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Path dir : runDirs) {
            String name = dir.toAbsolutePath().normalize().getFileName() == null ? dir.toString() : dir.toAbsolutePath().normalize().getFileName().toString();
            int n = seen.merge(name, 1, Integer::sum);
            runs.add(RunSource.open(dir, n == 1 ? name : name + " (" + n + ")"));
        }
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (BindException e) {
            throw new PortInUseException(host, port, freePort(address), e);
        }
        DashboardServer server = new DashboardServer(http, runs);
        server.poller.scheduleWithFixedDelay(server::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
        http.start();
        return server;
    }

    private static int freePort(InetAddress address) {
        try (ServerSocket s = new ServerSocket(0, 1, address)) {
            return s.getLocalPort();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The port listened on (the one chosen when 0 was asked for). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The page's address, e.g. http://127.0.0.1:8765/. */
    public URI url() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    private void poll() {
        boolean changed = false;
        for (RunSource r : runs) {
            try {
                changed |= r.refresh();
            } catch (IOException | RuntimeException e) {
                // a file being replaced or briefly unreadable: the next poll tries again
            }
        }
        if (changed) stream.changed();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(ex, 405, "text/plain; charset=utf-8", ("method " + method + " is not allowed; the dashboard only reads").getBytes(StandardCharsets.UTF_8));
                return;
            }
            route(ex, ex.getRequestURI().getPath());
        } catch (IOException e) {
            // the browser went away
        }
    }

    private void route(HttpExchange ex, String path) throws IOException {
        if (path.equals("/") || path.equals("/index.html")) {
            asset(ex, "index.html");
        } else if (path.equals("/layers")) {
            asset(ex, "layers.html");
        } else if (path.equals("/explain")) {
            explain(ex, "0");
        } else if (path.startsWith("/explain/")) {
            explain(ex, path.substring("/explain/".length()));
        } else if (path.startsWith("/static/")) {
            asset(ex, path.substring("/static/".length()));
        } else if (path.equals("/api/runs")) {
            json(ex, JsonLine.of(runList()));
        } else if (path.equals("/api/stream")) {
            stream.serve(ex);
        } else if (path.startsWith("/api/runs/")) {
            String[] parts = path.substring("/api/runs/".length()).split("/", -1);
            RunSource run = parts.length == 2 ? run(parts[0]) : null;
            if (run == null) notFound(ex, path);
            else if (parts[1].equals("records.json")) download(ex, "application/json", run.name() + ".json", RunExport.json(run));
            else if (parts[1].equals("metrics.csv")) download(ex, "text/csv; charset=utf-8", run.name() + ".csv", RunExport.csv(run));
            else notFound(ex, path);
        } else if (path.startsWith("/runs/")) {
            runFile(ex, path);
        } else {
            notFound(ex, path);
        }
    }

    private List<Object> runList() {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunSource r = runs.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", (long) i);
            m.put("name", r.name());
            m.put("dir", r.dir().toString());
            m.put("source", r.source());
            m.put("records", (long) r.size());
            m.put("problem", r.problem());
            m.put("explain", Files.isRegularFile(r.dir().resolve(EXPLAIN)));
            m.put("settings", r.settings());
            out.add(m);
        }
        return out;
    }

    /** The explainer's report in a run directory. */
    static final String EXPLAIN = "explain.html";

    private void explain(HttpExchange ex, String index) throws IOException {
        RunSource run = run(index);
        if (run == null) {
            notFound(ex, "/explain/" + index);
            return;
        }
        String body;
        if (Files.isRegularFile(run.dir().resolve(EXPLAIN))) {
            body = "<iframe id=\"explain-report\" title=\"layer explanation\" src=\"/runs/" + index + "/files/" + EXPLAIN + "\"></iframe>";
        } else {
            body = "<p id=\"explain-missing\" class=\"notice\">No explanation has been written for this run yet: there is no " + EXPLAIN + " in "
                    + Html.escape(run.dir().toString()) + ". Run <code>lamina explain</code> on the model to write one; this page shows it when it is there.</p>";
        }
        byte[] page = Assets.get("explain.html");
        String html = new String(page, StandardCharsets.UTF_8).replace("{{RUN}}", Html.escape(run.name())).replace("{{BODY}}", body);
        send(ex, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    private void runFile(HttpExchange ex, String path) throws IOException {
        String[] parts = path.substring("/runs/".length()).split("/", 3);
        RunSource run = parts.length == 3 && parts[1].equals("files") ? run(parts[0]) : null;
        if (run == null) {
            notFound(ex, path);
            return;
        }
        Path dir = run.dir();
        Path target = dir.resolve(parts[2]).normalize();
        boolean inside = !parts[2].isEmpty() && target.startsWith(dir) && !target.equals(dir);
        if (inside && Files.exists(target)) inside = target.toRealPath().startsWith(dir);
        if (!inside) {
            send(ex, 403, "text/plain; charset=utf-8", ("refused: " + parts[2] + " is outside the run directory " + run.name()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!Files.isRegularFile(target)) {
            notFound(ex, path);
            return;
        }
        send(ex, 200, Assets.type(target.getFileName().toString()), Files.readAllBytes(target));
    }

    private RunSource run(String index) {
        try {
            int i = Integer.parseInt(index);
            return i >= 0 && i < runs.size() ? runs.get(i) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void asset(HttpExchange ex, String name) throws IOException {
        byte[] body = Assets.get(name);
        if (body == null) notFound(ex, "/static/" + name);
        else send(ex, 200, Assets.type(name), body);
    }

    private static void json(HttpExchange ex, String body) throws IOException {
        send(ex, 200, "application/json; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void download(HttpExchange ex, String type, String file, String body) throws IOException {
        ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + file.replaceAll("[^A-Za-z0-9_.() -]", "_") + "\"");
        send(ex, 200, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void notFound(HttpExchange ex, String path) throws IOException {
        send(ex, 404, "text/plain; charset=utf-8", ("not found: " + path).getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Stops serving; open event streams end. */
    @Override
    public void close() {
        stream.close();
        poller.shutdownNow();
        http.stop(0);
        workers.shutdownNow();
    }
}
