package dev.lamina.onnx;

import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Tensors whose bytes live outside the model file (ONNX "external data": {@code data_location = EXTERNAL} with
 * {@code location}, {@code offset} and {@code length} entries), as PyTorch writes models above protobuf's 2 GB limit.
 * A location is a path relative to the model's directory; one that is absolute, climbs out of that directory or
 * goes through a symbolic link is refused, as is a range that runs past the end of its file or does not hold
 * exactly the tensor's bytes. Files are opened once each and closed by {@link #close}.
 */
final class ExternalData implements AutoCloseable {
    /** For a model parsed from bytes: there is no directory, so any external tensor is an error that says so. */
    static final ExternalData NONE = new ExternalData(null);

    private final Path directory;
    private final Map<Path, FileChannel> open = new HashMap<>();

    private ExternalData(Path directory) {
        this.directory = directory;
    }

    /** External files are looked up next to the model file. */
    static ExternalData besideModel(Path modelFile) {
        Path dir = modelFile.toAbsolutePath().normalize().getParent();
        return new ExternalData(dir == null ? Path.of("").toAbsolutePath() : dir);
    }

    static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    /** The tensor's {@code bytes} bytes, little-endian, read from its external file. */
    ByteBuffer read(TensorProto t, long bytes, String what) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(e, what, t);
                case "length" -> length = number(e, what, t);
                default -> { } // "checksum" and future keys: nothing to check against here
            }
        }
        String tensor = what + ": tensor '" + t.getName() + "'";
        if (location == null || location.isEmpty()) throw new OnnxException(tensor + " is marked external but names no location");
        if (directory == null) {
            throw new OnnxException(tensor + " keeps its data in the external file '" + location + "'; load the model from its file "
                    + "(OnnxModel.load(path)) so that the file can be found beside it");
        }
        if (length >= 0 && length != bytes) {
            throw new OnnxException(tensor + " needs " + bytes + " bytes, but its external data entry says length " + length);
        }
        Path file = resolve(location, tensor);
        try {
            FileChannel ch = channel(file);
            long size = ch.size();
            if (offset + bytes > size) {
                throw new OnnxException(tensor + ": external file '" + location + "' has " + size + " bytes, too few for " + bytes + " bytes at offset " + offset
                        + " (truncated?)");
            }
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(bytes));
            while (b.hasRemaining()) {
                int r = ch.read(b, offset + b.position());
                if (r < 0) throw new OnnxException(tensor + ": external file '" + location + "' ended early");
            }
            return b.flip().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new OnnxException(tensor + ": cannot read external file '" + location + "' (" + e.getMessage() + ")", e);
        }
    }

    private Path resolve(String location, String tensor) {
        Path rel;
        try {
            rel = Path.of(location);
        } catch (java.nio.file.InvalidPathException e) {
            throw new OnnxException(tensor + ": external location '" + location + "' is not a valid path");
        }
        Path file = directory.resolve(rel).normalize();
        if (rel.isAbsolute() || !file.startsWith(directory) || file.equals(directory)) {
            throw new OnnxException(tensor + ": external location '" + location + "' is outside the model's directory " + directory);
        }
        for (Path p = file; !p.equals(directory); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) throw new OnnxException(tensor + ": external location '" + location + "' goes through a symbolic link");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new OnnxException(tensor + ": external file '" + location + "' does not exist in " + directory);
        }
        return file;
    }

    private FileChannel channel(Path file) throws IOException {
        FileChannel ch = open.get(file);
        if (ch == null) {
            ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            open.put(file, ch);
        }
        return ch;
    }

    private static long number(StringStringEntryProto e, String what, TensorProto t) {
        try {
            long v = Long.parseLong(e.getValue().trim());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException x) {
            throw new OnnxException(what + ": tensor '" + t.getName() + "' has external data " + e.getKey() + " '" + e.getValue() + "', not a byte count");
        }
    }

    @Override
    public void close() {
        for (FileChannel ch : open.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only channel: nothing was written that closing could lose
            }
        }
        open.clear();
    }
}
