package io.weightsync.cli.bench;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weightsync.cli.DeviceConverter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weightsync.server.bench.EngineBenchmark;
import io.weightsync.server.model.ModelLocator;
import io.weightsync.server.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harness bench engine}: decode throughput per batch against DJL's matmul ceiling, and update stalls. */
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        description = {
            "Measure the engine in one run: decode step ms and tokens/s at each batch size, the GFLOP/s",
            "that implies, DJL's fp32 1024x1024 matmul GFLOP/s on this machine as the ceiling, and the",
            "generation stall of one weight update under load in pause vs overlap mode."
        })
public final class EngineBenchCommand implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "tiny", description = "tiny (built-in) or a model folder (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--batches", split = ",", defaultValue = "1,16,64,256", description = "batch sizes (default: ${DEFAULT-VALUE})")
    int[] batches;

    @Option(names = "--warmup-steps", defaultValue = "100",
            description = "decode steps discarded at the start of each batch (default: ${DEFAULT-VALUE})")
    int warmupSteps;

    @Option(names = "--warmup-rounds", defaultValue = "1",
            description = "whole sweeps over --batches run first and discarded: batch 1 is mostly per-op overhead and gets "
                    + "faster for ~1,000 steps while the JIT compiles (default: ${DEFAULT-VALUE})")
    int warmupRounds;

    @Option(names = "--steps", defaultValue = "100", description = "decode steps measured per batch (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--update-streams", defaultValue = "64", description = "streams running during the update-stall measurement; 0 skips it (default: ${DEFAULT-VALUE})")
    int updateStreams;

    @Option(names = "--device", defaultValue = "cpu", converter = DeviceConverter.class,
            description = "cpu or gpu (needs CUDA natives: docs/GPU.md) (default: ${DEFAULT-VALUE})")
    Device device;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        for (int b : batches) {
            if (b < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batches: every batch must be >= 1, got " + b);
            }
        }
        if (warmupSteps < 0 || warmupRounds < 0 || steps < 1 || updateStreams < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--warmup-steps and --warmup-rounds must be >= 0, --steps >= 1 and --update-streams >= 0");
        }
        Device dev = device;
        Path modelDir = ModelLocator.resolve(model);
        EngineBenchmark.Result r = new EngineBenchmark(modelDir, Tokenizer.forModel(modelDir), dev, warmupSteps, steps, warmupRounds)
                .run(batches, updateStreams);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "model %s on %s; DJL fp32 matmul 1024x1024: %.1f GFLOP/s%n%n", model, dev, r.matmulGflops());
        out.printf(Locale.ROOT, "| batch | mean context | step ms | tokens/s | GFLOP/s | %% of matmul |%n|---:|---:|---:|---:|---:|---:|%n");
        for (EngineBenchmark.BatchResult b : r.batches()) {
            out.printf(Locale.ROOT, "| %d | %.0f | %.2f | %.0f | %.1f | %.0f%% |%n", b.batch(), b.meanContext(), b.stepMillis(),
                    b.tokensPerSecond(), b.gflops(), 100 * b.gflops() / r.matmulGflops());
        }
        if (!r.updates().isEmpty()) {
            out.printf(Locale.ROOT, "%n| update mode | streams | load ms | swap ms | longest gap ms | stall ms | no-update stall ms |%n"
                    + "|---|---:|---:|---:|---:|---:|---:|%n");
            for (EngineBenchmark.UpdateStall u : r.updates()) {
                out.printf(Locale.ROOT, "| %s | %d | %.1f | %.2f | %.1f | %.1f | %.1f |%n", u.mode(), u.streams(), u.loadMillis(),
                        u.swapMillis(), u.maxGapMillis(), u.stallMillis(), u.noUpdateStallMillis());
            }
            out.printf(Locale.ROOT, "(no-update stall: the same statistic over as many steps just before each update: "
                    + "what a window that long shows with no update)%n");
        }
        out.flush();
        if (json != null) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("model", model);
            root.put("device", dev.toString());
            root.put("matmul_gflops", r.matmulGflops());
            ArrayNode bs = root.putArray("batches");
            for (EngineBenchmark.BatchResult b : r.batches()) {
                bs.addObject().put("batch", b.batch()).put("step_ms", b.stepMillis()).put("tokens_per_s", b.tokensPerSecond())
                        .put("gflops", b.gflops()).put("mean_context", b.meanContext());
            }
            ArrayNode us = root.putArray("updates");
            for (EngineBenchmark.UpdateStall u : r.updates()) {
                us.addObject().put("mode", u.mode()).put("streams", u.streams()).put("load_ms", u.loadMillis())
                        .put("swap_ms", u.swapMillis()).put("max_gap_ms", u.maxGapMillis()).put("stall_ms", u.stallMillis())
                        .put("no_update_stall_ms", u.noUpdateStallMillis());
            }
            m.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
        }
        return 0;
    }
}
