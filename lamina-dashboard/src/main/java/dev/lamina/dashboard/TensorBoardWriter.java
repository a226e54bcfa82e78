package dev.lamina.dashboard;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * A TensorBoard event file in a run directory, {@code events.out.tfevents.SECONDS.HOST.lamina}, so that
 * {@code tensorboard --logdir RUNDIR} shows the run: scalars, histograms and images, one framed
 * {@code Event} record each ({@link TfRecords}, {@link TensorBoardEvents}), appended at each {@link #flush}
 * (the recorder flushes after every step and epoch).
 */
final class TensorBoardWriter implements Closeable {
    private final AppendFile file;
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    TensorBoardWriter(Path dir) throws IOException {
        double now = System.currentTimeMillis() / 1000.0;
        this.file = new AppendFile(dir.resolve("events.out.tfevents." + (long) now + "." + host() + ".lamina"));
        file.append(TfRecords.frame(TensorBoardEvents.fileVersion(now)));
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    Path path() {
        return file.path();
    }

    void scalar(String tag, long step, double wall, double value) throws IOException {
        if (Double.isFinite(value)) pending.writeBytes(TfRecords.frame(TensorBoardEvents.scalar(tag, step, wall, (float) value)));
    }

    void histogram(String tag, long step, double wall, Histogram h) throws IOException {
        if (h.n() > h.nonFinite()) pending.writeBytes(TfRecords.frame(TensorBoardEvents.histogram(tag, step, wall, h)));
    }

    void image(String tag, long step, double wall, int height, int width, int colorspace, byte[] png) throws IOException {
        pending.writeBytes(TfRecords.frame(TensorBoardEvents.image(tag, step, wall, height, width, colorspace, png)));
    }

    /** Appends the events given since the last flush, in one piece. */
    void flush() throws IOException {
        if (pending.size() == 0) return;
        file.append(pending.toByteArray());
        pending.reset();
    }

    @Override
    public void close() throws IOException {
        flush();
        file.close();
    }
}
