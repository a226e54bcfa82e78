package dev.lamina.dashboard;

import java.io.IOException;

/** The dashboard's port is taken; the message names it and a port that was free a moment ago. */
public final class PortInUseException extends IOException {
    private final int freePort;

    PortInUseException(String host, int port, int freePort, Throwable cause) {
        super("port " + port + " on " + host + " is already in use (another dashboard, TensorBoard or other server?); port " + freePort
                + " is free now: use --dashboard=" + freePort + " (or --port " + freePort + " for lamina dashboard), or 0 for any free port", cause);
        this.freePort = freePort;
    }

    /** A port that was free when the error was made. */
    public int freePort() {
        return freePort;
    }
}
