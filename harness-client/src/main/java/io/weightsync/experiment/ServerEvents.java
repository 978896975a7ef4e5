package io.weightsync.experiment;

import io.weightsync.core.events.Event;
import io.weightsync.core.events.EventLineParser;
import io.weightsync.core.events.ParseResult;
import io.weightsync.core.events.WeightsEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's side of each update, read back from its log: {@code server.recv}, {@code rpc.start},
 * {@code rpc.done} epoch milliseconds by trace id (the first of each, should one repeat).
 */
final class ServerEvents {

    record Phases(double recvMs, double rpcStartMs, double rpcDoneMs) {
        static final Phases UNKNOWN = new Phases(Double.NaN, Double.NaN, Double.NaN);
    }

    private final Map<String, double[]> byTrace = new HashMap<>();

    static ServerEvents read(Path log) throws IOException {
        ServerEvents events = new ServerEvents();
        if (log == null || !Files.exists(log)) {
            return events;
        }
        try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                ParseResult r = EventLineParser.parse(line);
                if (r.isEventLine() && !r.isMalformed()) {
                    events.accept(r.event().orElseThrow());
                }
            }
        }
        return events;
    }

    private void accept(Event e) {
        if (e instanceof WeightsEvent.ServerRecv r) {
            set(r.trace().toString(), 0, r.epochMillis());
        } else if (e instanceof WeightsEvent.RpcStart r) {
            set(r.trace().toString(), 1, r.epochMillis());
        } else if (e instanceof WeightsEvent.RpcDone r) {
            set(r.trace().toString(), 2, r.epochMillis());
        }
    }

    private void set(String trace, int phase, long epochMillis) {
        double[] p = byTrace.computeIfAbsent(trace, t -> new double[] {Double.NaN, Double.NaN, Double.NaN});
        if (Double.isNaN(p[phase])) {
            p[phase] = epochMillis;
        }
    }

    Phases of(String trace) {
        double[] p = byTrace.get(trace);
        return p == null ? Phases.UNKNOWN : new Phases(p[0], p[1], p[2]);
    }
}
