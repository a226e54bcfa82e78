package dev.lamina.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The dashboard's files, all inside the jar: its pages, script and style ({@code dev/lamina/dashboard/web/}) and
 * uPlot from its WebJar ({@code META-INF/resources/webjars/uplot/VERSION/dist/}). Only plain file names are
 * looked up, so no request reaches another resource.
 */
final class Assets {
    private static final String WEB = "dev/lamina/dashboard/web/";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "png", "image/png", "svg", "image/svg+xml", "json", "application/json");
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";

    private Assets() {
    }

    /** A bundled file by plain name ({@code dashboard.js}, {@code uPlot.iife.min.js}), or null when there is none. */
    static byte[] get(String name) throws IOException {
        if (!NAME.matcher(name).matches()) return null;
        String path = name.startsWith("uPlot.") ? UPLOT + name : WEB + name;
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    static String type(String name) {
        int dot = name.lastIndexOf('.');
        return TYPES.getOrDefault(dot < 0 ? "" : name.substring(dot + 1), "application/octet-stream");
    }

    private static String uplotVersion() {
        try (InputStream in = Assets.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) throw new IllegalStateException("the uPlot WebJar (org.webjars.npm:uplot) is not on the class path");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
