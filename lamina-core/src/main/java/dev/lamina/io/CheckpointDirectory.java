package dev.lamina.io;

import dev.lamina.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The crash-safe directory of checkpoints, whatever they hold: tensor files in safetensors form and a JSON manifest
 * that lists each file's size and SHA-256. What the manifest says about a run is its writer's business (the
 * training-state schema is {@code dev.lamina.train.Checkpoint}); this class knows files, names and atomicity.
 *
 * <h2>Layout</h2>
 * A checkpoint directory {@code DIR} holds complete checkpoints {@code DIR/ckpt-000000123/} (named by step) and a
 * pointer file {@code DIR/latest} naming the current one. Each checkpoint holds its tensor files and
 * {@code manifest.json}, whose {@code "files"} object gives {@code {"bytes": N, "sha256": "..."}} per tensor file.
 *
 * <h2>Atomicity</h2>
 * {@link #save} writes a new checkpoint into a fresh hidden directory {@code DIR/.tmp-ckpt-...}, forcing every
 * file and the directory to disk; renames it to its final name; then replaces {@code DIR/latest} atomically (a
 * temporary file, forced, renamed over it) and forces {@code DIR}; only then does it delete checkpoints beyond the
 * number to keep. A process killed at any moment therefore leaves {@code latest} naming a complete checkpoint: the
 * new one or the previous one. Debris of an interrupted save (a temporary directory, a renamed checkpoint that
 * {@code latest} never came to name) is ignored by {@link #open} and removed by the next save.
 *
 * <h2>Opening</h2>
 * {@link #open} trusts nothing: the pointer's name, the manifest's size, UTF-8 and JSON; {@link Opened#read} checks a
 * tensor file's listing, presence, size and SHA-256 before {@link Safetensors} reads it with its own checks. Any
 * problem is an {@link IOException} naming the file and what is wrong.
 */
public final class CheckpointDirectory {
    private CheckpointDirectory() {}

    public static final String MANIFEST = "manifest.json";
    /** The pointer file in a checkpoint directory that names the current checkpoint. */
    public static final String LATEST = "latest";
    /** Checkpoints kept by default: the new one and the one before it. */
    public static final int DEFAULT_KEEP = 2;

    private static final String TMP_PREFIX = ".tmp-ckpt-";
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{9,19})(?:-(\\d{1,9}))?");
    private static final long MAX_MANIFEST_BYTES = 64L << 20;
    private static final int MAX_POINTER_BYTES = 256;

    /** Called at each stage of {@link #save}; tests use it to fail or to photograph the directory mid-save. */
    @FunctionalInterface
    public interface Stage {
        void reached(String stage) throws IOException;

        Stage NONE = s -> { };
    }

    /**
     * One tensor file of a checkpoint.
     *
     * @param name    its file name, e.g. {@code model.safetensors}
     * @param stage   the {@link Stage} reported once it is written
     * @param tensors its tensors, by name, in order
     */
    public record TensorFile(String name, String stage, Map<String, Tensor> tensors) {}

    /**
     * Saves a new {@code ckpt-STEP} directory under {@code dir} (created if needed) holding {@code files} and
     * {@code manifest} (to which a {@code "files"} object with each file's size and SHA-256 is added), makes
     * {@code dir/latest} name it, and then deletes older checkpoints so that {@code keep} remain (0 keeps all),
     * along with any debris of interrupted saves. A crash at any moment leaves a loadable checkpoint (see the class
     * comment). One process at a time may save into a directory.
     *
     * @return the new checkpoint's directory
     */
    public static Path save(Path dir, long step, List<TensorFile> files, Map<String, Object> manifest, int keep, Stage stage) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (keep < 0) throw new IllegalArgumentException("Checkpoint.save: keep must be >= 0, got " + keep);
        Path root = dir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IOException("cannot create the checkpoint directory " + dir + ": " + AtomicFiles.reason(e, dir), e);
        }
        removeDebris(root);
        Path tmp = root.resolve(TMP_PREFIX + String.format("%09d", step) + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectory(tmp);
        } catch (IOException e) {
            throw new IOException("cannot save a checkpoint into " + dir + ": " + AtomicFiles.reason(e, tmp), e);
        }
        boolean complete = false;
        try {
            stage.reached("tmp-created");
            Map<String, Object> listed = new LinkedHashMap<>();
            for (TensorFile f : files) {
                Safetensors.write(tmp.resolve(f.name()), f.tensors());
                listed.put(f.name(), fileEntry(tmp.resolve(f.name())));
                stage.reached(f.stage());
            }
            Map<String, Object> m = new LinkedHashMap<>(manifest);
            m.put("files", listed);
            AtomicFiles.write(tmp.resolve(MANIFEST), ManifestJson.write(m).getBytes(StandardCharsets.UTF_8));
            stage.reached("manifest");
            AtomicFiles.forceDirectory(tmp);
            stage.reached("synced");
            complete = true;
        } finally {
            if (!complete) {
                try {
                    deleteTree(tmp);
                } catch (IOException ignored) {
                    // the original failure matters; the next save removes the debris
                }
            }
        }

        String latest;
        try {
            latest = readPointer(root);
        } catch (IOException malformed) {
            latest = null; // replaced below
        }
        String name = String.format("ckpt-%09d", step);
        for (int k = 1; name.equals(latest) || (Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS) && !deleteTree(root.resolve(name))); k++) {
            name = String.format("ckpt-%09d-%d", step, k);
        }
        Path target = root.resolve(name);
        AtomicFiles.move(tmp, target);
        AtomicFiles.forceDirectory(root);
        stage.reached("renamed");

        AtomicFiles.write(root.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.US_ASCII));
        stage.reached("latest");

        prune(root, name, keep);
        stage.reached("pruned");
        return target;
    }

    private static Map<String, Object> fileEntry(Path file) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bytes", Files.size(file));
        m.put("sha256", sha256(file));
        return m;
    }

    /** Removes the temporary directories and pointer files of interrupted saves (renamed orphans are left to {@link #prune}). */
    private static void removeDebris(Path root) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(TMP_PREFIX) || (n.startsWith("." + LATEST + ".") && n.endsWith(".tmp"))) deleteTree(p);
            }
        }
    }

    /** Keeps the new checkpoint and the {@code keep - 1} newest older ones (by step); deletes the rest. */
    private static void prune(Path root, String current, int keep) throws IOException {
        if (keep == 0) return;
        long currentStep = stepOf(current);
        List<String> older = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.equals(current) || !NAME.matcher(n).matches()) continue;
                if (stepOf(n) > currentStep) {
                    deleteTree(p); // a later checkpoint of an abandoned continuation: this run resumed before it
                } else {
                    older.add(n);
                }
            }
        }
        older.sort(Comparator.comparingLong(CheckpointDirectory::stepOf).thenComparingInt(CheckpointDirectory::suffixOf).reversed());
        for (int i = keep - 1; i < older.size(); i++) deleteTree(root.resolve(older.get(i)));
    }

    private static long stepOf(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) return -1;
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private static int suffixOf(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
    }

    /** Deletes a file or directory tree; true when it is gone. */
    private static boolean deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return true;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
            }
        } else {
            Files.deleteIfExists(p);
        }
        return !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    // ------------------------------------------------------------------------------------------------ opening

    /**
     * The checkpoint directory {@code path} stands for: {@code path} itself when it holds a {@code manifest.json},
     * else the checkpoint that {@code path/latest} names.
     *
     * @throws IOException when there is neither, or the pointer is invalid or names a missing directory
     */
    public static Path locate(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        if (!Files.isDirectory(path)) throw new NoSuchFileException(path + ": no such checkpoint directory");
        if (Files.exists(path.resolve(MANIFEST), LinkOption.NOFOLLOW_LINKS)) return path;
        String name = readPointer(path);
        if (name == null) {
            throw new IOException(path + ": no checkpoint here (neither a " + MANIFEST + " nor a '" + LATEST + "' pointer)");
        }
        Path target = path.resolve(name);
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(path.resolve(LATEST) + " names " + name + ", which does not exist in " + path);
        }
        return target;
    }

    /** The name in {@code dir/latest}, or null when there is no such file; a malformed pointer is an error. */
    private static String readPointer(Path dir) throws IOException {
        Path p = dir.resolve(LATEST);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return null;
        long size = Files.size(p);
        if (size > MAX_POINTER_BYTES) throw new IOException(p + ": " + size + " bytes is too large for a checkpoint pointer");
        String name = new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).strip();
        if (!NAME.matcher(name).matches()) {
            throw new IOException(p + ": does not name a checkpoint (expected ckpt-NNNNNNNNN, got \"" + JsonCursor.printable(name) + "\")");
        }
        return name;
    }

    /**
     * A checkpoint opened for reading: its directory and its manifest, read and parsed (size, UTF-8, JSON checked).
     *
     * @param dir      the checkpoint's own directory
     * @param manifest the manifest's root object
     */
    public record Opened(Path dir, JsonCursor manifest) {
        /** Whether the manifest lists {@code file}. */
        public boolean lists(String file) throws IOException {
            return manifest.get("files").has(file);
        }

        /** The names of the files the manifest lists. */
        public List<String> listedFiles() throws IOException {
            return manifest.get("files").keys();
        }

        /** Reads a listed tensor file after checking its presence, size and SHA-256 against the manifest. */
        public Map<String, Tensor> read(String file) throws IOException {
            return readVerified(dir, manifest.get("files"), file);
        }

        /** The manifest's path, for messages. */
        public String source() {
            return dir.resolve(MANIFEST).toString();
        }
    }

    /** Opens the checkpoint {@code path} stands for ({@link #locate}) and reads its manifest. */
    public static Opened open(Path path) throws IOException {
        Path dir = locate(path);
        Path manifestPath = dir.resolve(MANIFEST);
        String src = manifestPath.toString();
        if (!Files.isRegularFile(manifestPath)) throw new IOException(src + ": missing (the checkpoint is incomplete)");
        long size = Files.size(manifestPath);
        if (size > MAX_MANIFEST_BYTES) throw new IOException(src + ": " + size + " bytes exceeds the limit of " + MAX_MANIFEST_BYTES);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(manifestPath))).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(src + ": not valid UTF-8", e);
        }
        return new Opened(dir, JsonCursor.root(ManifestJson.parse(text, src), src));
    }

    /** Checks a listed file's presence, size and SHA-256 before reading it as safetensors. */
    private static Map<String, Tensor> readVerified(Path dir, JsonCursor files, String name) throws IOException {
        Path file = dir.resolve(name);
        if (!files.has(name)) throw files.error("the checkpoint must list " + name);
        JsonCursor f = files.get(name);
        f.allowOnly("bytes", "sha256");
        long bytes = f.get("bytes").longIn(0, Long.MAX_VALUE);
        String sha = f.get("sha256").string();
        if (!Files.isRegularFile(file)) throw new IOException(file + ": missing (the checkpoint is incomplete or was altered)");
        long actual = Files.size(file);
        if (actual != bytes) {
            throw new IOException(file + ": " + actual + " bytes, the manifest says " + bytes + (actual < bytes ? " (truncated)" : ""));
        }
        String actualSha = sha256(file);
        if (!actualSha.equalsIgnoreCase(sha)) {
            throw new IOException(file + ": SHA-256 " + actualSha + " differs from the manifest's " + JsonCursor.printable(sha) + " (the file is corrupt)");
        }
        return Safetensors.read(file);
    }
}
