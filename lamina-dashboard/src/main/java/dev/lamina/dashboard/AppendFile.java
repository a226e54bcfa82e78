package dev.lamina.dashboard;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file that only grows: each {@link #append} hands the operating system one whole piece (JSON lines, TFRecords),
 * so a reader never sees a piece that is not being written, and a killed writer leaves every earlier piece intact
 * (at most the last one cut off, which readers detect).
 */
final class AppendFile implements Closeable {
    private final Path path;
    private final FileChannel channel;

    AppendFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    Path path() {
        return path;
    }

    synchronized void append(byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) channel.write(b);
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
