package io.weightsync.cli.ckpt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weightsync.core.ckpt.Checkpoint;
import io.weightsync.core.safetensors.SafetensorsFile;
import io.weightsync.core.safetensors.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code harness ckpt inspect PATH}: names, dtypes, shapes, bytes, offsets and metadata. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "List the tensors (name, dtype, shape, bytes, data offsets) and metadata of a checkpoint.")
public final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "a .safetensors file or a checkpoint folder")
    Path path;

    @Option(names = "--json", description = "print one JSON document instead of a table")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Checkpoint c = Checkpoint.open(path)) {
            if (json) {
                out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(c)));
            } else {
                printTable(c, out);
            }
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println(e.getMessage());
            return 1;
        }
        out.flush();
        return 0;
    }

    private static void printTable(Checkpoint c, PrintWriter out) {
        int nameWidth = "NAME".length();
        for (String n : c.names()) {
            nameWidth = Math.max(nameWidth, n.length());
        }
        String row = "  %-" + nameWidth + "s  %-7s  %-20s  %12s  %s%n";
        for (SafetensorsFile f : c.files()) {
            out.printf("%s: header %d B, data %s, %d tensors%n", SafetensorsFile.displayName(f.path()),
                    f.header().headerBytes(), Bytes.human(f.header().dataBytes()), f.tensors().size());
            for (Map.Entry<String, String> m : f.metadata().entrySet()) {
                out.printf("  __metadata__ %s = %s%n", m.getKey(), m.getValue());
            }
            out.printf(row, "NAME", "DTYPE", "SHAPE", "BYTES", "DATA_OFFSETS");
            for (TensorInfo t : f.tensors()) {
                out.printf(row, t.name(), t.dtype(), t.shapeString(), t.byteLength(),
                        "[" + t.begin() + ", " + t.end() + ")");
            }
        }
        out.printf("total: %d tensors, %s of data in %d file%s%n", c.names().size(), Bytes.human(c.dataBytes()),
                c.files().size(), c.files().size() == 1 ? "" : "s");
    }

    private static ObjectNode toJson(Checkpoint c) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("location", c.location().toString());
        root.put("tensors", c.names().size());
        root.put("data_bytes", c.dataBytes());
        ArrayNode files = root.putArray("files");
        for (SafetensorsFile f : c.files()) {
            ObjectNode file = files.addObject();
            file.put("file", f.path().getFileName().toString());
            file.put("header_bytes", f.header().headerBytes());
            file.put("data_bytes", f.header().dataBytes());
            ObjectNode meta = file.putObject("metadata");
            f.metadata().forEach(meta::put);
            ArrayNode tensors = file.putArray("tensors");
            for (TensorInfo t : f.tensors()) {
                ObjectNode tn = tensors.addObject();
                tn.put("name", t.name());
                tn.put("dtype", t.dtype().name());
                ArrayNode shape = tn.putArray("shape");
                for (long d : t.shape()) {
                    shape.add(d);
                }
                tn.put("bytes", t.byteLength());
                tn.putArray("data_offsets").add(t.begin()).add(t.end());
            }
        }
        return root;
    }
}
