package io.weightsync.cli.ckpt;

import io.weightsync.core.ckpt.CheckpointVerifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code harness ckpt verify PATH...}: exit 0 when every path is a valid checkpoint, 1 with one line per defect. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Validate safetensors files or checkpoint folders strictly: header, dtypes, shapes, offsets,",
            "coverage, metadata, shard index, config.json, and STABLE for step_N folders.",
            "Exit 0 when all are valid; 1 with one line per bad path naming the file and the defect."
        })
public final class VerifyCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "a .safetensors file or a checkpoint folder")
    List<Path> paths;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int bad = 0;
        for (Path path : paths) {
            try {
                CheckpointVerifier.Summary s = CheckpointVerifier.verify(path);
                out.printf("ok %s: %d tensors, %s in %d file%s%n", path, s.tensors(), Bytes.human(s.dataBytes()),
                        s.files(), s.files() == 1 ? "" : "s");
            } catch (Exception e) {
                bad++;
                err.println(e.getMessage() == null ? path + ": " + e : e.getMessage());
            }
        }
        out.flush();
        err.flush();
        return bad == 0 ? 0 : 1;
    }
}
