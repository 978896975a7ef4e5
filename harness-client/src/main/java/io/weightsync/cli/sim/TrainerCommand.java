package io.weightsync.cli.sim;

import io.weightsync.client.EventLog;
import io.weightsync.server.model.TinyModel;
import io.weightsync.sim.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./harness trainer}: the trainer half of the RL loop, alone (pair it with {@code ./harness orchestrator}). */
@Command(
        name = "trainer",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Publish a new checkpoint step_N every --step-interval seconds (the trainer half of the RL loop).",
            "",
            "Step N = the current weights plus a deterministic perturbation, written atomically under WEIGHTS_ROOT"
                    + " with STABLE last, N = 1..--steps. Logs [ckpt] write.done lines to stdout (and --log)."
        })
public final class TrainerCommand implements Callable<Integer> {

    @Option(names = "--weights-root", required = true, paramLabel = "DIR", description = "where step_N folders are published (the orchestrator polls it; the server loads from it)")
    Path weightsRoot;

    @Option(names = "--base", paramLabel = "DIR", description = "checkpoint folder to start from (default: the built-in tiny model's step_0)")
    Path base;

    @Option(names = "--steps", defaultValue = "100", description = "steps to publish (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--step-interval", paramLabel = "SECONDS", defaultValue = "1", description = "time per step (default: ${DEFAULT-VALUE})")
    double stepInterval;

    @Option(names = "--seed", defaultValue = "42", description = "perturbation seed: the same seed writes the same checkpoints (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--scale", defaultValue = "0.02", description = "noise amplitude per step, relative to each tensor's RMS (default: ${DEFAULT-VALUE})")
    double scale;

    @Option(names = "--log", paramLabel = "FILE", description = "also append the event lines to FILE")
    Path logFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Trainer.Config config;
        try {
            config = new Trainer.Config(base != null ? base : TinyModel.ensure(TinyModel.defaultRoot()), weightsRoot,
                    Duration.ofNanos(Math.round(stepInterval * 1e9)), steps, seed, scale, true);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (EventLog log = EventLog.discard().alsoTo(System.out)) {
            if (logFile != null) {
                log.alsoTo(logFile);
            }
            new Trainer(config, log).run();
            return 0;
        } catch (IOException e) {
            spec.commandLine().getErr().println("harness trainer: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
    }
}
