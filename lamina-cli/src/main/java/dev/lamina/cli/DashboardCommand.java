package dev.lamina.cli;

import dev.lamina.dashboard.DashboardServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code lamina dashboard RUNDIR...}: serves saved (or still growing) run directories, overlaid, until stopped. */
@Command(name = "dashboard", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show run directories in the browser: those written by lamina train --dashboard or --run-dir (live while they grow), or any directory of TensorBoard event files (PyTorch, TensorFlow).",
                "Several runs are overlaid. Stop with Ctrl-C."})
final class DashboardCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUNDIR", arity = "1..*", description = "Run directories.")
    List<Path> runs;

    @Option(names = "--port", defaultValue = "" + DashboardOptions.DEFAULT_PORT, description = "Port; default ${DEFAULT-VALUE}; 0: any free port.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on; default ${DEFAULT-VALUE} (this machine only); 0.0.0.0 shares it with the network.")
    String host;

    /** Released to stop serving (tests); the command otherwise serves until the process is stopped. */
    static volatile CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        try (DashboardServer server = DashboardServer.start(host, port, runs)) {
            System.out.println("dashboard: " + server.url() + " showing " + runs.size() + (runs.size() == 1 ? " run" : " runs") + "; stop with Ctrl-C");
            System.out.flush();
            stop.await();
        }
        return 0;
    }
}
