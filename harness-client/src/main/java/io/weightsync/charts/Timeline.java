package io.weightsync.charts;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.weightsync.experiment.ModeResult;
import io.weightsync.experiment.ThroughputSample;
import io.weightsync.experiment.UpdatePhases;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One mode's timeline: the token throughput it received and, drawn over it, every measured update's
 * phases as spans, all in seconds since the mode's first throughput sample. {@code charts.js} draws it
 * from this record's JSON: the line and axes by uPlot, the spans as bands behind the line, the plot's
 * height shared by {@link #lanes} lanes so that overlapping updates do not hide each other.
 *
 * @param mode e.g. {@code shared}
 * @param startS left end of the x axis: the earliest sample or span
 * @param endS right end of the x axis: the latest sample or span
 * @param lanes how many lanes the spans need (at least 1; 1 when updates never overlap)
 * @param throughput in time order
 * @param updates in the order of their {@code client.send}
 */
record Timeline(String mode, double startS, double endS, int lanes, List<Sample> throughput, List<Update> updates) {

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

    Timeline {
        throughput = List.copyOf(throughput);
        updates = List.copyOf(updates);
    }

    /** Tokens per second received over the interval ending {@code seconds} after the first sample. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"seconds", "tokensPerSecond"})
    record Sample(double seconds, double tokensPerSecond) {}

    /**
     * One update's spans: the four phases when every boundary was seen, else one {@link #WHOLE_UPDATE}
     * span, else (no send or no done time) none.
     *
     * @param lane which lane of the chart it is drawn in, from 0
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
        // lane i is free from laneEndS[i] on; an update takes the first free lane
        List<Double> laneEndS = new ArrayList<>();
        List<Update> drawn = new ArrayList<>();
        for (UpdatePhases u : updates) {
            List<Span> spans = spans(u, originMs);
            int lane = 0;
            if (!spans.isEmpty()) {
                double from = spans.get(0).startS();
                double to = spans.get(spans.size() - 1).endS();
                while (lane < laneEndS.size() && laneEndS.get(lane) > from) {
                    lane++;
                }
                if (lane == laneEndS.size()) {
                    laneEndS.add(to);
                } else {
                    laneEndS.set(lane, to);
                }
                start = Math.min(start, from);
                end = Math.max(end, to);
            }
            drawn.add(new Update(u.trace(), u.step(), u.ok(), lane, spans));
        }
        if (start > end) {
            start = 0;
            end = 1;
        } else if (start == end) {
            end = start + 1;
        }
        return new Timeline(result.mode(), start, end, Math.max(1, laneEndS.size()), throughput, drawn);
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
