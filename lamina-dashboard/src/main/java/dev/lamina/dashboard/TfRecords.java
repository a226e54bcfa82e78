package dev.lamina.dashboard;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files: each record is its length (uint64, little endian),
 * the masked CRC32C of those 8 bytes (uint32), the data, and the masked CRC32C of the data.
 */
final class TfRecords {
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecords() {
    }

    /** TensorFlow's masked CRC32C: the checksum rotated right by 15 bits plus a constant. */
    static int maskedCrc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** One framed record holding {@code data}. */
    static byte[] frame(byte[] data) {
        ByteBuffer bb = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(data.length);
        bb.putInt(maskedCrc(bb.array(), 0, 8));
        bb.put(data);
        bb.putInt(maskedCrc(data, 0, data.length));
        return bb.array();
    }

    /** The records read from a file's bytes, and why reading stopped early (null when the whole file was read). */
    record Read(List<byte[]> records, String problem) {}

    /**
     * Splits {@code bytes} into records, checking both checksums. A record cut off at the end of the file (a run
     * killed while writing) or a checksum mismatch ends the reading there; the records before it are returned.
     *
     * @param src names the file in the problem description
     */
    static Read read(byte[] bytes, String src) {
        List<byte[]> out = new ArrayList<>();
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (bb.remaining() > 0) {
            int at = bb.position();
            if (bb.remaining() < 12) return new Read(out, src + ": record " + out.size() + " at byte " + at + " is cut off (" + bb.remaining() + " bytes of its 12-byte header)");
            long len = bb.getLong();
            int lenCrc = bb.getInt();
            if (lenCrc != maskedCrc(bytes, at, 8)) return new Read(out, src + ": record " + out.size() + " at byte " + at + ": the length's checksum does not match");
            if (len < 0 || len > bb.remaining() - 4) {
                return new Read(out, src + ": record " + out.size() + " at byte " + at + " is cut off (length " + len + ", " + Math.max(0, bb.remaining() - 4) + " bytes left)");
            }
            byte[] data = new byte[(int) len];
            bb.get(data);
            int dataCrc = bb.getInt();
            if (dataCrc != maskedCrc(data, 0, data.length)) return new Read(out, src + ": record " + out.size() + " at byte " + at + ": the data's checksum does not match");
            out.add(data);
        }
        return new Read(out, null);
    }
}
