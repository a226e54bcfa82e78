package dev.lamina.cli;

import dev.lamina.data.Dataset;
import dev.lamina.explain.ExplainEachEpoch;
import dev.lamina.train.Callback;
import dev.lamina.train.EpochResult;
import dev.lamina.train.History;
import dev.lamina.dashboard.DashboardServer;
import dev.lamina.dashboard.RunRecorder;
import dev.lamina.train.Trainer;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flags of {@code lamina train} that record a run directory and show it live: {@code --dashboard[=PORT]},
 * {@code --host}, {@code --run-dir}, {@code --stats-every}. {@link #attach} hooks a {@link RunRecorder} into the
 * trainer and starts the {@link DashboardServer}; {@link #finish} stops it when the command ends (on a terminal,
 * after the user pressed Enter, so the finished run can still be looked at).
 */
final class DashboardOptions {
    static final int DEFAULT_PORT = 8765;

    @Option(names = "--dashboard", arity = "0..1", fallbackValue = "" + DEFAULT_PORT, paramLabel = "PORT",
            description = "Show the run live in the browser at http://127.0.0.1:PORT/ (default port " + DEFAULT_PORT + "; 0: any free port): loss, metrics, learning rate, gradient norm, throughput, confusion matrix, per-layer histograms and update ratios. Records a run directory (see --run-dir).")
    Integer port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "Address the dashboard listens on; default ${DEFAULT-VALUE} (this machine only). 0.0.0.0 shares it with the network: anyone who can reach the port sees the run.")
    String host;

    @Option(names = "--run-dir", paramLabel = "DIR",
            description = "Record the run into DIR (must not hold a run yet), appended as it trains: records.jsonl (every step, sampled per-layer statistics, epochs, events), settings.json and a TensorBoard event file. Default with --dashboard: runs/MODEL-TIME. Open it again with `lamina dashboard DIR` or TensorBoard.")
    Path runDir;

    @Option(names = "--stats-every", paramLabel = "STEPS", defaultValue = "0",
            description = "Per-layer histograms and update ratios every STEPS optimizer steps; default 0: automatic, from every 10 steps, thinned while collecting would cost more than 4%% of step time.")
    int statsEvery;

    private RunRecorder recorder;
    private DashboardServer server;
    private long resumedAfter;

    /** The steps a resumed run had done, so the recorded step numbers continue them. */
    void resumedAfter(long steps) {
        this.resumedAfter = steps;
    }

    /** Whether the run is recorded (--dashboard or --run-dir). */
    boolean active() {
        return port != null || runDir != null;
    }

    /**
     * Records the trainer's run and, with --dashboard, serves it.
     *
     * @param probe   a fixed batch of training inputs for the activation histograms
     * @param classes class names for the confusion matrix, or null
     */
    void attach(Trainer trainer, String model, Dataset probe, String[] classes, Map<String, String> settings, List<String> args, PrintStream human) throws IOException {
        if (!active()) return;
        if (statsEvery < 0) throw new IllegalArgumentException("--stats-every must be >= 0 steps (0: automatic), got " + statsEvery);
        Path dir = runDir != null ? runDir : Path.of("runs", model.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        OutputPaths.prepareDirectory("--run-dir", dir);
        Map<String, Object> s = new LinkedHashMap<>(settings);
        s.put("command", "lamina " + String.join(" ", args));
        try {
            recorder = new RunRecorder(dir, trainer.model(), trainer.optimizer()).statsEvery(statsEvery).probe(probe.features()).settings(s).resumedAfter(resumedAfter);
        } catch (IOException e) {
            throw new IOException("--run-dir " + dir + ": " + e.getMessage(), e);
        }
        if (classes != null) recorder.classes(classes);
        if (port != null) {
            try {
                server = DashboardServer.start(host, port, List.of(dir));
            } catch (IOException | RuntimeException e) {
                recorder.discardIfEmpty();
                recorder = null;
                throw e;
            }
        }
        trainer.callback(recorder);
        // the explain page: the layer explainer on the probe batch, written into the run directory
        trainer.callback(new ExplainedEpochs(new ExplainEachEpoch(trainer.model(), probe, null, trainer.optimizer(), dir), human));
        human.println("recording the run into " + dir);
        if (server != null) {
            human.println("dashboard: " + server.url() + (isLoopback() ? "" : "  (listening on " + host + ": reachable from other machines)"));
        }
    }

    /**
     * The dashboard's explain page: the explainer after the first epoch (so the page is there early) and once more when
     * training ends, on the last epoch's model. Not after every epoch: the explainer runs the layers one by one on
     * another batch size, and the JIT's recompilation for that made the following epochs of a small CNN about 20%
     * slower (measured with bench/dashboard.sh). Should it fail on some model, training goes on without the page, and
     * the reason is said once.
     */
    private static final class ExplainedEpochs implements Callback {
        private final ExplainEachEpoch explain;
        private final PrintStream human;
        private EpochResult last;
        private int explained;
        private boolean failed;

        ExplainedEpochs(ExplainEachEpoch explain, PrintStream human) {
            this.explain = explain;
            this.human = human;
        }

        @Override
        public void onEpochEnd(EpochResult result) {
            last = result;
            if (explained == 0) explain(result);
        }

        @Override
        public void onTrainEnd(History history) {
            if (last != null && last.epoch() != explained) explain(last);
        }

        private void explain(EpochResult result) {
            if (failed) return;
            try {
                explain.onEpochEnd(result);
                explained = result.epoch();
            } catch (RuntimeException e) {
                failed = true;
                human.println("dashboard: the explain page is not written for this run: " + e.getMessage());
            }
        }
    }

    private boolean isLoopback() {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** After training: reports the collection cost, keeps a terminal's dashboard up until Enter, then stops it. */
    void finish(PrintStream human) throws IOException {
        if (recorder == null) return;
        recorder.close();
        if (!Double.isNaN(recorder.statsShare())) {
            human.printf(Locale.ROOT, "run recorded in %s; statistics took %.2f%% of step time (histograms every %d steps)%n",
                    recorder.dir(), 100 * recorder.statsShare(), recorder.samplingInterval());
        }
        if (server == null) return;
        if (Progress.interactive()) {
            human.println("training is over; the dashboard stays at " + server.url() + " until you press Enter");
            System.in.read();
        }
        server.close();
        human.println("see the run again with: lamina dashboard " + recorder.dir());
    }
}
