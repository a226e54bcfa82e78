package dev.lamina.data;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A text for character-level language models: its vocabulary (every distinct code point, sorted), the text as
 * token ids, and a split into training and validation parts. Windows of the token stream become a
 * {@link Dataset} whose features are the ids {@code [N, T]} and whose targets are the same ids shifted by one.
 * Ids are stored as integer-valued floats, like class indices elsewhere in Lamina.
 */
public final class TextCorpus {
    /** Files larger than this are refused before reading (the corpora here are at most a few MB). */
    public static final long MAX_BYTES = 64L << 20;

    private final Vocabulary vocabulary;
    private final int[] ids;

    private TextCorpus(Vocabulary vocabulary, int[] ids) {
        this.vocabulary = vocabulary;
        this.ids = ids;
    }

    /** Reads a UTF-8 text file; malformed UTF-8, an empty file or one with a single distinct character is rejected. */
    public static TextCorpus load(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            boolean empty;
            try (var entries = Files.list(file)) {
                empty = entries.findAny().isEmpty();
            }
            throw new IOException(file + " is " + (empty ? "an empty directory" : "a directory") + ", not a text file: a text corpus is one UTF-8 text file (e.g. corpus.txt)");
        }
        if (!Files.exists(file)) throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such text file");
        long size = Files.size(file);
        if (size > MAX_BYTES) throw new IOException(file + ": " + size + " bytes is more than the " + MAX_BYTES + " a text corpus may have");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text (" + e.getMessage() + ")", e);
        }
        try {
            return of(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** A corpus over {@code text} with the vocabulary of its own characters. */
    public static TextCorpus of(String text) {
        Vocabulary v = Vocabulary.of(text);
        if (v.size() < 2) throw new IllegalArgumentException("a text corpus needs at least two distinct characters, got " + v.size());
        return new TextCorpus(v, v.encode(text));
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Length of the text in tokens (code points). */
    public int length() {
        return ids.length;
    }

    /** Token ids {@code [from, to)} of the text (a copy). */
    public int[] ids(int from, int to) {
        return Arrays.copyOfRange(ids, from, to);
    }

    /** The first {@code 1 − validationFraction} of the text, as ids. */
    public int[] trainIds(double validationFraction) {
        return ids(0, splitPoint(validationFraction));
    }

    /** The last {@code validationFraction} of the text, as ids. */
    public int[] validationIds(double validationFraction) {
        return ids(splitPoint(validationFraction), ids.length);
    }

    private int splitPoint(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
        return ids.length - (int) Math.round(ids.length * fraction);
    }

    /**
     * Non-overlapping windows of {@code seqLen + 1} tokens, starting at 0, seqLen, 2·seqLen, ...: features
     * {@code [N, seqLen]} are each window's first seqLen ids, targets {@code [N, seqLen]} its last seqLen (the next
     * character at every position). A tail shorter than a window is dropped.
     */
    public static Dataset windows(int[] ids, int seqLen) {
        if (seqLen < 1) throw new IllegalArgumentException("sequence length must be positive, got " + seqLen);
        int n = (ids.length - 1) / seqLen;
        if (n < 1) throw new IllegalArgumentException("a text of " + ids.length + " tokens is too short for one window of " + (seqLen + 1));
        float[] x = new float[n * seqLen], y = new float[n * seqLen];
        for (int w = 0; w < n; w++) {
            for (int t = 0; t < seqLen; t++) {
                x[w * seqLen + t] = ids[w * seqLen + t];
                y[w * seqLen + t] = ids[w * seqLen + t + 1];
            }
        }
        return new Dataset(Tensor.of(x, n, seqLen), Tensor.of(y, n, seqLen));
    }

    /** Characters ↔ ids: id i is the i-th smallest code point of the text. */
    public static final class Vocabulary {
        private final int[] codePoints;
        private final Map<Integer, Integer> index = new HashMap<>();

        private Vocabulary(int[] codePoints) {
            this.codePoints = codePoints;
            for (int i = 0; i < codePoints.length; i++) index.put(codePoints[i], i);
        }

        /** The distinct code points of {@code text}, sorted. */
        public static Vocabulary of(String text) {
            return new Vocabulary(text.codePoints().distinct().sorted().toArray());
        }

        /** The vocabulary whose ids are the code points of {@link #symbols()}, in that order (they must be distinct). */
        public static Vocabulary fromSymbols(String symbols) {
            int[] cps = symbols.codePoints().toArray();
            if (cps.length == 0) throw new IllegalArgumentException("empty vocabulary");
            if (Arrays.stream(cps).distinct().count() != cps.length) throw new IllegalArgumentException("vocabulary has repeated characters");
            return new Vocabulary(cps);
        }

        public int size() {
            return codePoints.length;
        }

        /** All characters in id order, as one string (what {@link #fromSymbols} reads back). */
        public String symbols() {
            return new String(codePoints, 0, codePoints.length);
        }

        public boolean contains(int codePoint) {
            return index.containsKey(codePoint);
        }

        /** Ids of {@code text}; a character outside the vocabulary is an error naming it and its position. */
        public int[] encode(String text) {
            int[] cps = text.codePoints().toArray();
            int[] out = new int[cps.length];
            for (int i = 0; i < cps.length; i++) {
                Integer id = index.get(cps[i]);
                if (id == null) throw new IllegalArgumentException("character " + describe(cps[i]) + " at position " + i + " is not in the vocabulary of " + size() + " characters");
                out[i] = id;
            }
            return out;
        }

        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder(ids.length);
            for (int id : ids) sb.appendCodePoint(codePoint(id));
            return sb.toString();
        }

        public int codePoint(int id) {
            if (id < 0 || id >= codePoints.length) throw new IndexOutOfBoundsException("token id " + id + " is outside the vocabulary of " + size() + " characters");
            return codePoints[id];
        }

        private static String describe(int cp) {
            return Character.isISOControl(cp) || Character.isWhitespace(cp) ? String.format("U+%04X", cp) : "'" + new String(Character.toChars(cp)) + "' (U+" + String.format("%04X", cp) + ")";
        }
    }
}
