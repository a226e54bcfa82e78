package dev.lamina.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashboardServerTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(DashboardServer s, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(s.url().resolve(path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPagesAssetsRunsAndDownloads(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run-a");
        TinyRuns.train(dir, 2, 1e-2, 2);
        try (DashboardServer s = DashboardServer.start("127.0.0.1", 0, List.of(dir))) {
            assertTrue(InetAddress.getByName(s.url().getHost()).isLoopbackAddress());
            HttpResponse<String> index = get(s, "/");
            assertEquals(200, index.statusCode());
            assertTrue(index.body().contains("/static/uPlot.iife.min.js") && index.body().contains("/static/dashboard.js"));
            assertTrue(!index.body().contains("http://") && !index.body().contains("https://"), "nothing from another server");
            assertEquals(200, get(s, "/layers").statusCode());
            HttpResponse<String> uplot = get(s, "/static/uPlot.iife.min.js");
            assertEquals(200, uplot.statusCode());
            assertTrue(uplot.body().contains("uPlot"));
            assertEquals("text/javascript; charset=utf-8", uplot.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(200, get(s, "/static/uPlot.min.css").statusCode());
            assertEquals(404, get(s, "/static/nothing.js").statusCode());

            String runs = get(s, "/api/runs").body();
            assertTrue(runs.contains("\"name\":\"run-a\"") && runs.contains("\"source\":\"lamina\"") && runs.contains("\"explain\":false"), runs);
            HttpResponse<String> json = get(s, "/api/runs/0/records.json");
            assertTrue(json.headers().firstValue("Content-Disposition").orElseThrow().contains("run-a.json"));
            Object parsed = dev.lamina.io.JsonTree.parse(json.body(), "records.json");
            assertEquals(RunSource.open(dir, "x").size(), ((List<?>) parsed).size());
            String[] csv = get(s, "/api/runs/0/metrics.csv").body().split("\n");
            assertTrue(csv[0].startsWith("type,step,epoch,batch,batches,time,loss"), csv[0]);
            int steps = 2 * TinyRuns.EXAMPLES / TinyRuns.BATCH;
            assertEquals(1 + steps + 2, csv.length, "a header, the steps and the epochs");
            assertEquals(404, get(s, "/api/runs/7/metrics.csv").statusCode());
            assertEquals(404, get(s, "/nothing").statusCode());
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(s.url()).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void theExplainPageShowsTheReportOrSaysThereIsNone(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        TinyRuns.train(dir, 1, 1e-2, 3);
        try (DashboardServer s = DashboardServer.start("127.0.0.1", 0, List.of(dir))) {
            String none = get(s, "/explain/0").body();
            assertTrue(none.contains("No explanation has been written for this run yet"), none);
            Files.writeString(dir.resolve("explain.html"), "<html><body><h1>layer cards</h1></body></html>");
            String page = get(s, "/explain/0").body();
            assertTrue(page.contains("<iframe") && page.contains("/runs/0/files/explain.html"), page);
            assertTrue(get(s, "/runs/0/files/explain.html").body().contains("layer cards"));
            assertEquals(404, get(s, "/explain/3").statusCode());
        }
    }

    @Test
    void nothingOutsideTheRunDirectoryIsServed(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        TinyRuns.train(dir, 1, 1e-2, 3);
        Files.writeString(tmp.resolve("secret.txt"), "do not serve");
        try (DashboardServer s = DashboardServer.start("127.0.0.1", 0, List.of(dir))) {
            assertTrue(get(s, "/runs/0/files/settings.json").body().contains("\"parameters\""));
            for (String path : List.of("/runs/0/files/../secret.txt", "/runs/0/files/%2e%2e/secret.txt", "/runs/0/files/..%2fsecret.txt",
                    "/runs/0/files/" + tmp.resolve("secret.txt"), "/runs/0/files/./../run/../secret.txt", "/static/..%2f..%2fdashboard.js")) {
                String response = raw(s, path);
                assertTrue(!response.contains("do not serve"), path + " served the file outside:\n" + response);
                assertTrue(response.startsWith("HTTP/1.1 403") || response.startsWith("HTTP/1.1 404") || response.startsWith("HTTP/1.1 400"), path + ":\n" + response);
            }
            assertTrue(raw(s, "/runs/0/files/%2e%2e/secret.txt").startsWith("HTTP/1.1 403"));
            Path link = dir.resolve("link.txt");
            Files.createSymbolicLink(link, tmp.resolve("secret.txt"));
            String viaLink = raw(s, "/runs/0/files/link.txt");
            assertTrue(viaLink.startsWith("HTTP/1.1 403") && !viaLink.contains("do not serve"), viaLink);
        }
    }

    /** A request sent as written (no client normalising the path), and the whole response. */
    private static String raw(DashboardServer s, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPortInUseNamesItAndAFreeOne(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        TinyRuns.train(dir, 1, 1e-2, 3);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PortInUseException e = assertThrows(PortInUseException.class, () -> DashboardServer.start("127.0.0.1", taken.getLocalPort(), List.of(dir)));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"), e.getMessage());
            assertTrue(e.getMessage().contains("--dashboard=" + e.freePort()), e.getMessage());
            try (DashboardServer s = DashboardServer.start("127.0.0.1", e.freePort(), List.of(dir))) {
                assertEquals(e.freePort(), s.port());
            }
        }
        IOException unknown = assertThrows(IOException.class, () -> DashboardServer.start("no-such-host.invalid", 0, List.of(dir)));
        assertTrue(unknown.getMessage().contains("no-such-host.invalid"), unknown.getMessage());
    }

    @Test
    void theStreamSendsNewRecordsAndResumesAfterALostConnection(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        TinyRuns.train(a, 1, 1e-2, 3);
        TinyRuns.train(b, 1, 1e-2, 3);
        int na = RunSource.open(a, "a").size(), nb = RunSource.open(b, "b").size();
        try (DashboardServer s = DashboardServer.start("127.0.0.1", 0, List.of(a, b))) {
            String lastId;
            try (Sse sse = new Sse(s.url().resolve("/api/stream"), null)) {
                Sse.Event first = sse.next("records");
                assertTrue(first.data().startsWith("{\"run\":0,\"from\":0,"), first.data());
                assertEquals(na + ".0", first.id());
                Sse.Event second = sse.next("records");
                assertEquals(na + "." + nb, second.id());
                appendEvent(a, "live-1");
                Sse.Event live = sse.next("records");
                assertEquals((na + 1) + "." + nb, live.id());
                assertTrue(live.data().contains("\"from\":" + na) && live.data().contains("live-1"), live.data());
                lastId = live.id();
            }
            // written while no one was connected
            appendEvent(a, "missed-2");
            appendEvent(b, "missed-3");
            try (Sse sse = new Sse(s.url().resolve("/api/stream"), lastId)) {
                Sse.Event e1 = sse.next("records");
                assertTrue(e1.data().startsWith("{\"run\":0,\"from\":" + (na + 1)) && e1.data().contains("missed-2") && !e1.data().contains("live-1"), e1.data());
                Sse.Event e2 = sse.next("records");
                assertTrue(e2.data().startsWith("{\"run\":1,\"from\":" + nb) && e2.data().contains("missed-3"), e2.data());
                assertEquals((na + 2) + "." + (nb + 1), e2.id());
            }
            try (Sse sse = new Sse(s.url().resolve("/api/stream"), "999.0")) {
                sse.next("reset");
                assertTrue(sse.next("records").data().startsWith("{\"run\":0,\"from\":0,"));
            }
        }
    }

    private static void appendEvent(Path dir, String message) throws IOException {
        Files.writeString(dir.resolve(RunLog.FILE), "{\"type\":\"event\",\"event\":\"note\",\"message\":\"" + message + "\"}\n", StandardOpenOption.APPEND);
    }

    /** A minimal server-sent-events reader over a plain HTTP connection. */
    static final class Sse implements AutoCloseable {
        record Event(String id, String type, String data) {}

        private final Socket socket;
        private final BufferedReader in;

        Sse(URI url, String lastEventId) throws IOException {
            socket = new Socket(url.getHost(), url.getPort());
            socket.setSoTimeout(10_000);
            String request = "GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + "\r\nAccept: text/event-stream\r\n"
                    + (lastEventId != null ? "Last-Event-ID: " + lastEventId + "\r\n" : "") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream raw = socket.getInputStream();
            in = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8));
            String status = in.readLine();
            if (!status.contains(" 200")) throw new IOException("stream answered " + status);
            boolean chunked = false;
            for (String h; !(h = in.readLine()).isEmpty(); ) if (h.toLowerCase().startsWith("transfer-encoding: chunked")) chunked = true;
            if (!chunked) throw new IOException("expected a chunked stream");
        }

        /** The next event of {@code type} (chunk-size lines, comments and other events skipped). */
        Event next(String type) throws IOException {
            String id = null, event = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("id: ")) id = line.substring(4);
                else if (line.startsWith("event: ")) event = line.substring(7);
                else if (line.startsWith("data: ")) data.append(line.substring(6));
                else if (line.isEmpty() && event != null) {
                    if (event.equals(type)) return new Event(id, event, data.toString());
                    id = event = null;
                    data.setLength(0);
                }
            }
            throw new IOException("the stream ended");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
