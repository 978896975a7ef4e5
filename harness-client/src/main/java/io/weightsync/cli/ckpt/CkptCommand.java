package io.weightsync.cli.ckpt;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code harness ckpt}: look inside and check safetensors files and checkpoint folders. */
@Command(
        name = "ckpt",
        mixinStandardHelpOptions = true,
        description = "Inspect or verify a safetensors file or checkpoint folder (single file, sharded, or step_N).",
        subcommands = {InspectCommand.class, VerifyCommand.class})
public final class CkptCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: inspect or verify");
    }
}
