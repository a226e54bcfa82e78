package dev.lamina.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lamina} command. */
@Command(name = "lamina", mixinStandardHelpOptions = true, version = "lamina 0.1.0",
        description = "Deep learning in pure Java: train and inspect neural networks.",
        subcommands = {TrainCommand.class, SummaryCommand.class, InspectCommand.class, GenerateCommand.class, OnnxCommand.class, ExportCommand.class,
                PredictCommand.class, EvaluateCommand.class, DashboardCommand.class, ExplainCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // charts are drawn off-screen; never look for a display
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("lamina: " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }
}
