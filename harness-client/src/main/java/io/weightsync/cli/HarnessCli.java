package io.weightsync.cli;

import io.weightsync.cli.analyze.AnalyzeCommand;
import io.weightsync.cli.bench.BenchCommand;
import io.weightsync.cli.ckpt.CkptCommand;
import io.weightsync.cli.compare.CompareCommand;
import io.weightsync.cli.experiment.ExperimentCommand;
import io.weightsync.cli.serve.ServeCommand;
import io.weightsync.cli.sim.OrchestratorCommand;
import io.weightsync.cli.sim.TrainerCommand;
import io.weightsync.cli.soak.SoakCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code ./harness} command line. Subcommands arrive with the features that make them work;
 * none exists before it does something real.
 */
@Command(
        name = "harness",
        mixinStandardHelpOptions = true,
        versionProvider = HarnessCli.Version.class,
        description = "Benchmark and load-test harness for pushing new policy weights into a busy inference server.",
        subcommands = {ExperimentCommand.class, CkptCommand.class, AnalyzeCommand.class, CompareCommand.class,
            BenchCommand.class, ServeCommand.class, TrainerCommand.class, OrchestratorCommand.class, SoakCommand.class})
public final class HarnessCli implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }

    public static void main(String[] args) {
        // DJL PyTorch runs from the natives in the jar; never download at run time
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests drive it without exiting the JVM. */
    public static CommandLine commandLine() {
        return new CommandLine(new HarnessCli());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = HarnessCli.class.getPackage().getImplementationVersion();
            return new String[] {"weightsync-harness " + (v == null ? "(development build)" : v)};
        }
    }
}
