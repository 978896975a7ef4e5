package io.weightsync.experiment;

import io.weightsync.analyze.Numbers;
import io.weightsync.client.ClientMetrics;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The table {@code ./harness experiment} prints at the end (and SUMMARY.md repeats): per mode the
 * update path's percentiles, what the streams felt, the counters, and the signature checks.
 */
public final class ResultTable {

    /** One line of the table: {@code stat} of {@code metric}; {@code label} pads them for the text table. */
    public record Row(String label, String metric, String stat) {}

    /** The metric lines, in table order; report.html's mode table shows the same. */
    public static final List<Row> ROWS = List.of(
            new Row("weights.queue_ms    p50", MetricNames.WEIGHTS_QUEUE_MS, "p50"),
            new Row("weights.queue_ms    p99", MetricNames.WEIGHTS_QUEUE_MS, "p99"),
            new Row("weights.recv_gap_ms p50", MetricNames.WEIGHTS_RECV_GAP_MS, "p50"),
            new Row("weights.recv_gap_ms p99", MetricNames.WEIGHTS_RECV_GAP_MS, "p99"),
            new Row("weights.rpc_ms      p50", MetricNames.WEIGHTS_RPC_MS, "p50"),
            new Row("weights.wall_ms     p50", MetricNames.WEIGHTS_WALL_MS, "p50"),
            new Row("weights.wall_ms     max", MetricNames.WEIGHTS_WALL_MS, "max"),
            new Row("gen.stall_ms        max", MetricNames.GEN_STALL_MS, "max"),
            new Row("stream.queue_ms     p50", ClientMetrics.STREAM_QUEUE_MS, "p50"),
            new Row("stream.ttft_ms      p50", MetricNames.STREAM_TTFT_MS, "p50"),
            new Row("stream.itl_ms       p50", MetricNames.STREAM_ITL_MS, "p50"),
            new Row("stream.itl_ms       p99", MetricNames.STREAM_ITL_MS, "p99"),
            new Row("stream.e2e_ms       p50", MetricNames.STREAM_E2E_MS, "p50"),
            new Row("ckpt.wait_ms        max", MetricNames.CKPT_WAIT_MS, "max"),
            new Row("rollout.staleness   max", MetricNames.ROLLOUT_STALENESS, "max"));

    /** The counter lines, after the metrics. */
    public static final List<String> COUNTERS = List.of("updates", "updates_failed", "requests", "errors");

    private ResultTable() {}

    static String text(List<ModeResult> modes, List<Signature.Check> checks) {
        List<String[]> lines = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("metric (ms unless named)"));
        modes.forEach(m -> header.add(m.mode()));
        boolean pair = modes.size() == 2;
        if (pair) {
            header.add(modes.get(1).mode() + "/" + modes.get(0).mode());
        }
        lines.add(header.toArray(String[]::new));
        for (Row row : ROWS) {
            List<String> cells = new ArrayList<>(List.of(row.label()));
            double[] values = new double[modes.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = Signature.stat(modes.get(i).report(), row.metric(), row.stat());
            }
            for (double v : values) {
                cells.add(Numbers.reading(v));
            }
            if (pair) {
                cells.add(ratio(values[0], values[1]));
            }
            lines.add(cells.toArray(String[]::new));
        }
        for (String counter : COUNTERS) {
            List<String> cells = new ArrayList<>(List.of(counter));
            modes.forEach(m -> cells.add(Long.toString(m.report().counters().getOrDefault(counter, 0L))));
            if (pair) {
                cells.add("");
            }
            lines.add(cells.toArray(String[]::new));
        }
        List<String> tps = new ArrayList<>(List.of("tokens/s received"));
        modes.forEach(m -> tps.add(String.format(Locale.ROOT, "%.0f", tokensPerSecond(m.report()))));
        if (pair) {
            tps.add("");
        }
        lines.add(tps.toArray(String[]::new));

        int columns = lines.get(0).length;
        int[] width = new int[columns];
        for (String[] l : lines) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], l[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String[] l = lines.get(i);
            for (int c = 0; c < columns; c++) {
                String cell = l[c];
                out.append(c == 0 ? pad(cell, width[c], false) : "  " + pad(cell, width[c], true));
            }
            out.append('\n');
            if (i == 0) {
                out.append("-".repeat(out.length() - 1)).append('\n');
            }
        }
        out.append('\n');
        for (Signature.Check c : checks) {
            out.append(c.outcome().label).append("  ").append(pad(c.mode(), 9, false)).append(' ')
                    .append(c.expectation()).append(": ").append(c.measured()).append('\n');
        }
        if (!checks.isEmpty()) {
            out.append(Signature.verdict(checks)).append('\n');
        }
        return out.toString();
    }

    /** Chunks (one token each from the harness and vLLM) received per second over the measured period. */
    public static double tokensPerSecond(Report report) {
        long tokens = report.counters().getOrDefault("chunks_received", 0L);
        long millis = report.counters().getOrDefault("measured_ms", 0L);
        return millis == 0 ? Double.NaN : tokens * 1000.0 / millis;
    }

    /** {@code after / before} as {@code 1.17x}, or {@code 1/364} below 0.1; "-" when either is unknown or 0. */
    public static String ratio(double before, double after) {
        if (Double.isNaN(before) || Double.isNaN(after) || before == 0 || after == 0) {
            return "-";
        }
        double r = after / before;
        return r >= 0.1 ? String.format(Locale.ROOT, "%.2fx", r) : String.format(Locale.ROOT, "1/%.0f", 1 / r);
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(Math.max(0, width - s.length()));
        return right ? space + s : s + space;
    }
}
