package io.weightsync.charts;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.weightsync.experiment.ModeResult;
import io.weightsync.experiment.ThroughputSample;
import io.weightsync.experiment.UpdatePhases;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One mode's timeline: the token throughput it received and, drawn over it, every measured update's
 * phases as spans, all in seconds since the mode's first throughput sample. {@code charts.js} draws it
 * from this record's JSON: the line and axes by uPlot, the spans as bands behind the line, the plot's
 * height split in {@link #lanes} rows, one per update in send order, so that updates that overlap or
 * follow each other back to back (a shared-mode queue) stay apart instead of merging into one band.
 *
 * <p>A page's timelines are compared by eye, so {@link #onCommonAxes} gives them one x range and one
 * y scale (0 to the largest throughput of any of them).
 *
 * @param mode e.g. {@code shared}
 * @param startS left end of the x axis: the earliest sample or span
 * @param endS right end of the x axis: the latest sample or span
 * @param yMax top of the y axis, tokens/s (it starts at 0): the largest sample; at least 1
 * @param lanes rows the spans are drawn in: one per update that has spans, at least 1
 * @param phases the phases some update's spans use, in the order they happen: the legend's entries
 * @param throughput in time order
 * @param updates in the order of their {@code client.send}
 */
record Timeline(String mode, double startS, double endS, double yMax, int lanes, List<String> phases,
        List<Sample> throughput, List<Update> updates) {

    /** {@code client.send} to {@code server.recv}. */
    static final String QUEUE = "queue";
    /** {@code server.recv} to {@code rpc.start}. */
    static final String FRONT_END = "front end";
    /** {@code rpc.start} to {@code rpc.done}. */
    static final String ENGINE_LOAD = "engine load";
    /** {@code rpc.done} to {@code client.done}. */
    static final String RESPONSE = "response";
    /** {@code client.send} to {@code client.done}, drawn when a phase boundary was not seen. */
    static final String WHOLE_UPDATE = "whole update";

    /** Every phase a span may have, in the order they happen. */
    static final List<String> PHASES = List.of(QUEUE, FRONT_END, ENGINE_LOAD, RESPONSE, WHOLE_UPDATE);

    Timeline {
        phases = List.copyOf(phases);
        throughput = List.copyOf(throughput);
        updates = List.copyOf(updates);
    }

    /** {@code timelines} on one x range (the union of theirs) and one y scale (the largest yMax). */
    static List<Timeline> onCommonAxes(List<Timeline> timelines) {
        double start = Double.POSITIVE_INFINITY;
        double end = Double.NEGATIVE_INFINITY;
        double yMax = 1;
        for (Timeline t : timelines) {
            start = Math.min(start, t.startS());
            end = Math.max(end, t.endS());
            yMax = Math.max(yMax, t.yMax());
        }
        List<Timeline> common = new ArrayList<>();
        for (Timeline t : timelines) {
            common.add(new Timeline(t.mode(), start, end, yMax, t.lanes(), t.phases(), t.throughput(), t.updates()));
        }
        return common;
    }

    /** Tokens per second received over the interval ending {@code seconds} after the first sample. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"seconds", "tokensPerSecond"})
    record Sample(double seconds, double tokensPerSecond) {}

    /**
     * One update's spans: the four phases when every boundary was seen, else one {@link #WHOLE_UPDATE}
     * span, else (no send or no done time) none.
     *
     * @param lane which row of the chart it is drawn in, from 0 (the top): its place among the updates
     *     that have spans
     */
    record Update(String trace, long step, boolean ok, int lane, List<Span> spans) {
        Update {
            spans = List.copyOf(spans);
        }
    }

    /** One phase, from {@code startS} to {@code endS}. */
    record Span(String phase, double startS, double endS) {}

    static Timeline of(ModeResult result) {
        List<ThroughputSample> samples = new ArrayList<>(result.throughput());
        samples.sort(Comparator.comparingDouble(ThroughputSample::epochMs));
        List<UpdatePhases> updates = new ArrayList<>(result.updates());
        updates.sort(Comparator.comparingDouble(UpdatePhases::sendMs));
        double originMs = samples.isEmpty() ? firstSendMs(updates) : samples.get(0).epochMs();

        double start = Double.POSITIVE_INFINITY;
        double end = Double.NEGATIVE_INFINITY;
        List<Sample> throughput = new ArrayList<>();
        for (ThroughputSample s : samples) {
            double seconds = (s.epochMs() - originMs) / 1000;
            throughput.add(new Sample(seconds, s.tokensPerSecond()));
            start = Math.min(start, seconds);
            end = Math.max(end, seconds);
        }
        double yMax = 1;
        for (Sample s : throughput) {
            yMax = Math.max(yMax, s.tokensPerSecond());
        }
        // one row per update with spans, in send order
        int lanes = 0;
        Set<String> used = new HashSet<>();
        List<Update> drawn = new ArrayList<>();
        for (UpdatePhases u : updates) {
            List<Span> spans = spans(u, originMs);
            int lane = 0;
            if (!spans.isEmpty()) {
                lane = lanes++;
                start = Math.min(start, spans.get(0).startS());
                end = Math.max(end, spans.get(spans.size() - 1).endS());
                spans.forEach(sp -> used.add(sp.phase()));
            }
            drawn.add(new Update(u.trace(), u.step(), u.ok(), lane, spans));
        }
        if (start > end) {
            start = 0;
            end = 1;
        } else if (start == end) {
            end = start + 1;
        }
        List<String> phases = PHASES.stream().filter(used::contains).toList();
        return new Timeline(result.mode(), start, end, yMax, Math.max(1, lanes), phases, throughput, drawn);
    }

    private static double firstSendMs(List<UpdatePhases> updatesBySend) {
        for (UpdatePhases u : updatesBySend) {
            if (!Double.isNaN(u.sendMs())) {
                return u.sendMs();
            }
        }
        return 0;
    }

    private static List<Span> spans(UpdatePhases u, double originMs) {
        double[] boundsMs = {u.sendMs(), u.recvMs(), u.rpcStartMs(), u.rpcDoneMs(), u.doneMs()};
        String[] phases = {QUEUE, FRONT_END, ENGINE_LOAD, RESPONSE};
        boolean allSeen = true;
        for (double b : boundsMs) {
            allSeen &= !Double.isNaN(b);
        }
        List<Span> spans = new ArrayList<>();
        if (allSeen) {
            for (int i = 0; i < phases.length; i++) {
                spans.add(new Span(phases[i], seconds(boundsMs[i], originMs), seconds(boundsMs[i + 1], originMs)));
            }
        } else if (!Double.isNaN(u.sendMs()) && !Double.isNaN(u.doneMs())) {
            spans.add(new Span(WHOLE_UPDATE, seconds(u.sendMs(), originMs), seconds(u.doneMs(), originMs)));
        }
        return spans;
    }

    private static double seconds(double epochMs, double originMs) {
        return (epochMs - originMs) / 1000;
    }
}
