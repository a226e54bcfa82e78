package dev.lamina.io;

import java.io.IOException;

/**
 * Public access to the project's strict JSON reader and indented writer (the ones behind safetensors headers and
 * checkpoint manifests), for model definition files and metadata. The tree is {@code Map<String, ?>} (in order) /
 * {@code List<?>} / {@code String} / {@code Long} (integers) / {@code Double} / {@code Boolean} / {@code null}.
 */
public final class JsonTree {
    private JsonTree() {
    }

    /**
     * Parses one JSON value; duplicate keys, trailing text and nesting deeper than 64 are rejected.
     *
     * @param src names the text in error messages (a file name)
     * @throws IOException naming {@code src}, the line and the column of the first problem
     */
    public static Object parse(String text, String src) throws IOException {
        return ManifestJson.parse(text, src);
    }

    /** Appends {@code s} as a JSON string literal (escaped as the writers here escape: safe inside a script, ASCII outside the BMP). */
    public static void quote(StringBuilder sb, String s) {
        ManifestJson.string(sb, s);
    }

    /** {@code value} as indented JSON text ending in a newline. */
    public static String write(Object value) {
        return ManifestJson.write(value);
    }
}
