package io.weightsync.analyze;

import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.events.GenEvent;
import io.weightsync.core.events.RolloutEvent;
import io.weightsync.core.events.WeightsEvent;
import io.weightsync.core.trace.TraceId;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a large, realistic-looking log for throughput and memory checks of {@code analyze}: mostly
 * noise (vLLM stats lines, loguru lines with ANSI colours, request logs), with one weight update (its
 * five lines in orchestrator and server styles), a generation batch and a rollout line every
 * {@value #NOISE_PER_UPDATE} noise lines, and a checkpoint write/wait every tenth update. One update in
 * ten is queued 8-30 s (the bug), the rest about 50 ms. Deterministic for a seed.
 *
 * <p>{@code java -cp harness-client/target/harness.jar io.weightsync.analyze.SyntheticLog FILE MB}
 */
public final class SyntheticLog {

    static final int NOISE_PER_UPDATE = 400;
    private static final String ESC = "\u001B";
    private static final long START_MILLIS = 1_764_345_600_000L;

    private SyntheticLog() {}

    /** Writes about {@code targetBytes} of log to {@code file}; returns the number of updates in it. */
    public static long write(Path file, long targetBytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long updates = 0;
        long nowMillis = START_MILLIS;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            CountingLines lines = new CountingLines(out);
            while (lines.bytes < targetBytes) {
                for (int i = 0; i < NOISE_PER_UPDATE; i++) {
                    nowMillis += random.nextInt(20);
                    lines.write(noise(random, i, nowMillis));
                }
                updates++;
                TraceId trace = new TraceId(random.nextLong() | 1L);
                double queueMillis = updates % 10 == 0 ? 8000 + random.nextInt(22_000) : 40 + random.nextInt(20);
                double rpcMillis = 45 + random.nextInt(20) + random.nextInt(1000) / 1000.0;
                long send = nowMillis;
                long recv = send + Math.round(queueMillis) - 5;
                long rpcDone = recv + 1 + Math.round(rpcMillis);
                lines.write(loguru(nowMillis, "prime_rl.orchestrator.client:update_weights:88",
                        new WeightsEvent.ClientSend(trace, send).toLine()));
                lines.write(vllm("APIServer pid=1234", new WeightsEvent.ServerRecv(trace, recv).toLine()));
                lines.write(vllm("EngineCore_0 pid=1301", new WeightsEvent.RpcStart(trace, recv + 1).toLine()));
                lines.write(vllm("EngineCore_0 pid=1301", new WeightsEvent.RpcDone(trace, rpcDone, rpcMillis).toLine()));
                lines.write(loguru(nowMillis, "prime_rl.orchestrator.client:update_weights:95",
                        WeightsEvent.ClientDone.of(trace, queueMillis + rpcMillis, rpcMillis).toLine()));
                lines.write(vllm("EngineCore_0 pid=1301",
                        new GenEvent.BatchDone(512, 30_000 + random.nextInt(20_000), 0).toLine()));
                lines.write(loguru(nowMillis, "prime_rl.orchestrator:step:210",
                        RolloutEvent.of(random.nextInt(400) / 10.0, updates + 2, updates + random.nextInt(2)).toLine()));
                if (updates % 10 == 0) {
                    lines.write(loguru(nowMillis, "prime_rl.trainer.ckpt:save:140",
                            new CkptEvent.WriteDone(updates, 500 + random.nextInt(1000)).toLine()));
                    lines.write(loguru(nowMillis, "prime_rl.orchestrator.ckpt:wait:70",
                            new CkptEvent.WaitDone(updates, random.nextInt(800)).toLine()));
                }
            }
        }
        return updates;
    }

    private static String noise(SplittableRandom random, int i, long nowMillis) {
        return switch (i % 4) {
            case 0 -> vllm("APIServer pid=1234", "Engine 000: Avg prompt throughput: " + random.nextInt(5000)
                    + ".0 tokens/s, Avg generation throughput: " + random.nextInt(40000)
                    + ".3 tokens/s, Running: 256 reqs, Waiting: 3840 reqs, GPU KV cache usage: 87.1%");
            case 1 -> vllm("APIServer pid=1234", "127.0.0.1:" + (40000 + random.nextInt(20000))
                    + " - \"POST /v1/chat/completions HTTP/1.1\" 200 OK");
            case 2 -> ESC + "[32m" + stamp(nowMillis) + ESC + "[0m | " + ESC + "[1mINFO    " + ESC + "[0m | " + ESC
                    + "[36mprime_rl.orchestrator.buffer" + ESC + "[0m:" + ESC + "[36madd" + ESC + "[0m:" + ESC
                    + "[36m77" + ESC + "[0m - Buffer holds " + random.nextInt(8192) + " rollouts [problem=math]";
            default -> loguru(nowMillis, "prime_rl.orchestrator:generate:120", "Generating rollouts: "
                    + random.nextInt(4096) + " in flight, step " + (i / 4) + ", reward mean 0." + random.nextInt(1000));
        };
    }

    private static String loguru(long nowMillis, String where, String message) {
        return stamp(nowMillis) + " | INFO     | " + where + " - " + message;
    }

    private static String vllm(String process, String message) {
        return "(" + process + ") INFO 10-14 12:00:09 [api_server.py:99] " + message;
    }

    private static String stamp(long epochMillis) {
        return java.time.Instant.ofEpochMilli(epochMillis).toString().replace('T', ' ').replace("Z", "");
    }

    /** Counts what is written so the loop knows when the target size is reached. */
    private static final class CountingLines {
        private final BufferedWriter out;
        long bytes;

        CountingLines(BufferedWriter out) {
            this.out = out;
        }

        void write(String line) throws IOException {
            out.write(line);
            out.write('\n');
            bytes += line.length() + 1;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SyntheticLog FILE MB");
            System.exit(2);
        }
        long updates = write(Path.of(args[0]), Long.parseLong(args[1]) << 20, 42);
        System.out.println(args[0] + ": " + Files.size(Path.of(args[0])) + " bytes, " + updates + " updates");
    }
}
