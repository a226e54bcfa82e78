package dev.lamina.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Sums float arrays across {@code world} processes over TCP, in a ring (reduce-scatter then all-gather, as Horovod and
 * NCCL do): each rank sends to rank {@code rank + 1} and receives from rank {@code rank - 1}, so every rank moves
 * {@code 2 (world - 1) / world} of the array per call whatever the world size. Values travel as raw little-endian
 * float32.
 *
 * <p>Deterministic: chunk {@code c} of the result is always summed in the order {@code x[c] + x[c+1] + ... } (ranks
 * modulo {@code world}), so the same inputs give bit-identical sums on every rank and in every run, unlike Spark's
 * {@code reduce}/{@code treeReduce}, whose order depends on which task finishes first.
 *
 * <p>Use: every rank opens a {@link #listen listener}, the ranks exchange {@link Listener#address() addresses} (in a
 * Spark barrier stage through {@code BarrierTaskContext.allGather}, once), then each calls {@link #connect} with the
 * list in rank order.
 */
public final class RingAllReduce implements Closeable {
    /** Bytes that open every connection, so a stray client is refused rather than read as gradients. */
    private static final int HELLO = 0x4C414D52;

    private final int rank, world;
    private final Socket toNext, fromPrev;
    private final DataOutputStream out;
    private final InputStream in;
    private final ExecutorService sender;
    private final BooleanSupplier cancelled;
    private final long timeoutMillis;
    private boolean bf16;
    private byte[] sendBytes = new byte[0], receiveBytes = new byte[0];
    private float[] scratch = new float[0];
    private long bytesSent;

    /** A bound server socket, before the addresses are exchanged. */
    public static final class Listener implements Closeable {
        private final ServerSocket server;
        private final String host;

        private Listener(ServerSocket server, String host) {
            this.server = server;
            this.host = host;
        }

        /** {@code host:port} for the other ranks to connect to. */
        public String address() {
            return host + ":" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A listener on {@code host} (the address the other ranks reach this process by), on a free port. */
    public static Listener listen(String host) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        return new Listener(server, host);
    }

    /**
     * Joins the ring: connects to the next rank and accepts the previous one.
     *
     * @param addresses     every rank's {@link Listener#address()}, in rank order
     * @param cancelled     polled while waiting; true aborts with an IOException (a Spark task that was killed)
     * @param timeoutMillis how long to wait for a peer before giving up (a lost peer fails the call, and the stage)
     */
    public static RingAllReduce connect(Listener listener, int rank, List<String> addresses, BooleanSupplier cancelled, long timeoutMillis) throws IOException {
        int world = addresses.size();
        if (rank < 0 || rank >= world) throw new IllegalArgumentException("RingAllReduce: rank " + rank + " outside the world of " + world);
        if (world == 1) {
            listener.close();
            return new RingAllReduce(rank, 1, null, null, cancelled, timeoutMillis);
        }
        String next = addresses.get((rank + 1) % world);
        int colon = next.lastIndexOf(':');
        Socket toNext = new Socket();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try {
                toNext.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))), 1000);
                break;
            } catch (IOException e) {
                toNext.close();
                if (System.currentTimeMillis() > deadline || cancelled.getAsBoolean()) throw new IOException("rank " + rank + ": cannot connect to rank " + (rank + 1) % world + " at " + next + ": " + e.getMessage(), e);
                toNext = new Socket();
                sleep(50);
            }
        }
        toNext.setTcpNoDelay(true);
        DataOutputStream hello = new DataOutputStream(toNext.getOutputStream());
        hello.writeInt(HELLO);
        hello.writeInt(rank);
        hello.flush();
        listener.server.setSoTimeout(1000);
        Socket fromPrev = null;
        int prev = (rank + world - 1) % world;
        while (fromPrev == null) {
            try {
                Socket s = listener.server.accept();
                s.setSoTimeout(5000);
                DataInputStream d = new DataInputStream(s.getInputStream());
                if (d.readInt() == HELLO && d.readInt() == prev) fromPrev = s;
                else s.close();
            } catch (SocketTimeoutException e) {
                if (System.currentTimeMillis() > deadline || cancelled.getAsBoolean()) {
                    toNext.close();
                    throw new IOException("rank " + rank + ": rank " + prev + " did not connect within " + timeoutMillis + " ms");
                }
            }
        }
        listener.close();
        fromPrev.setTcpNoDelay(true);
        return new RingAllReduce(rank, world, toNext, fromPrev, cancelled, timeoutMillis);
    }

    private RingAllReduce(int rank, int world, Socket toNext, Socket fromPrev, BooleanSupplier cancelled, long timeoutMillis) throws IOException {
        this.rank = rank;
        this.world = world;
        this.toNext = toNext;
        this.fromPrev = fromPrev;
        this.cancelled = cancelled;
        this.timeoutMillis = timeoutMillis;
        this.out = toNext == null ? null : new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
        if (fromPrev != null) fromPrev.setSoTimeout(1000);
        this.in = fromPrev == null ? null : new BufferedInputStream(fromPrev.getInputStream(), 1 << 16);
        this.sender = toNext == null ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lamina-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    public int rank() {
        return rank;
    }

    public int world() {
        return world;
    }

    /**
     * Sends values as bfloat16 (the upper half of each float32, rounded to nearest even): half the bytes, 8 bits of
     * mantissa. Partial sums are rounded at each hop and every rank rounds its finished chunk the same way before the
     * all-gather, so all ranks still end with bit-identical sums. Every rank must use the same setting.
     */
    public RingAllReduce bfloat16(boolean on) {
        this.bf16 = on;
        return this;
    }

    /** Bytes this rank has sent so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Replaces {@code data} on every rank by the element-wise sum of every rank's {@code data} (same length everywhere). */
    public void sum(float[] data) throws IOException {
        if (world == 1) return;
        int n = data.length;
        if (scratch.length < n / world + 1) scratch = new float[n / world + 1];
        for (int s = 0; s < world - 1; s++) {
            int send = Math.floorMod(rank - s, world), receive = Math.floorMod(rank - s - 1, world);
            exchange(data, send, receive, true);
        }
        if (bf16) {
            int own = Math.floorMod(rank + 1, world), from = chunkStart(n, world, own), to = chunkStart(n, world, own + 1);
            for (int i = from; i < to; i++) data[i] = fromBf16(toBf16(data[i]));
        }
        for (int s = 0; s < world - 1; s++) {
            int send = Math.floorMod(rank + 1 - s, world), receive = Math.floorMod(rank - s, world);
            exchange(data, send, receive, false);
        }
    }

    /** Replaces {@code data} on every rank by rank 0's. */
    public void broadcastFromRankZero(float[] data) throws IOException {
        if (world == 1) return;
        if (rank != 0) java.util.Arrays.fill(data, 0f);
        sum(data);
    }

    private static int chunkStart(int n, int world, int c) {
        return (int) ((long) n * c / world);
    }

    /** Sends chunk {@code send} to the next rank while receiving chunk {@code receive} from the previous one. */
    private void exchange(float[] data, int send, int receive, boolean add) throws IOException {
        int n = data.length;
        int sFrom = chunkStart(n, world, send), sLen = chunkStart(n, world, send + 1) - sFrom;
        int rFrom = chunkStart(n, world, receive), rLen = chunkStart(n, world, receive + 1) - rFrom;
        int width = bf16 ? 2 : 4;
        if (sendBytes.length < width * sLen) sendBytes = new byte[width * sLen + 4];
        if (bf16) {
            var shorts = ByteBuffer.wrap(sendBytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            for (int i = 0; i < sLen; i++) shorts.put(i, toBf16(data[sFrom + i]));
        } else {
            ByteBuffer.wrap(sendBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(data, sFrom, sLen);
        }
        byte[] payload = sendBytes;
        Future<?> sent = sender.submit(() -> {
            out.writeInt(sLen);
            out.write(payload, 0, width * sLen);
            out.flush();
            return null;
        });
        int len = readInt();
        if (len != rLen) throw new IOException("rank " + rank + ": rank " + (rank + world - 1) % world + " sent a chunk of " + len + " floats, expected " + rLen + " (the ranks' arrays differ in length)");
        if (receiveBytes.length < width * rLen) receiveBytes = new byte[width * rLen + 4];
        readFully(receiveBytes, width * rLen);
        if (bf16) {
            var shorts = ByteBuffer.wrap(receiveBytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            for (int i = 0; i < rLen; i++) scratch[i] = fromBf16(shorts.get(i));
            if (add) for (int i = 0; i < rLen; i++) data[rFrom + i] = scratch[i] + data[rFrom + i];
            else System.arraycopy(scratch, 0, data, rFrom, rLen);
        } else if (add) {
            var floats = ByteBuffer.wrap(receiveBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            floats.get(scratch, 0, rLen);
            for (int i = 0; i < rLen; i++) data[rFrom + i] = scratch[i] + data[rFrom + i];
        } else {
            ByteBuffer.wrap(receiveBytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data, rFrom, rLen);
        }
        try {
            sent.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("rank " + rank + ": interrupted while sending", e);
        } catch (ExecutionException e) {
            throw new IOException("rank " + rank + ": sending to rank " + (rank + 1) % world + " failed: " + e.getCause().getMessage(), e.getCause());
        }
        bytesSent += 4L + (long) width * sLen;
    }

    /** float32 → bfloat16 bits, rounded to nearest even (NaN stays NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    private int readInt() throws IOException {
        byte[] b = new byte[4];
        readFully(b, 4);
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private void readFully(byte[] b, int len) throws IOException {
        int off = 0;
        long waited = 0;
        while (off < len) {
            int r;
            try {
                r = in.read(b, off, len - off);
            } catch (SocketTimeoutException e) {
                waited += 1000;
                if (cancelled.getAsBoolean()) throw new IOException("rank " + rank + ": cancelled while waiting for rank " + (rank + world - 1) % world);
                if (waited > timeoutMillis) throw new IOException("rank " + rank + ": rank " + (rank + world - 1) % world + " sent nothing for " + timeoutMillis + " ms (lost?)");
                continue;
            }
            if (r < 0) throw new IOException("rank " + rank + ": rank " + (rank + world - 1) % world + " closed the connection (lost?)");
            off += r;
            waited = 0;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        if (sender != null) sender.shutdownNow();
        if (toNext != null) toNext.close();
        if (fromPrev != null) fromPrev.close();
    }
}
