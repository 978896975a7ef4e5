package io.weightsync.compare;

import io.weightsync.analyze.Numbers;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --expect} check on the AFTER side, written {@code METRIC.STAT<VALUE} or {@code >}
 * ({@code <=}, {@code >=} too). The stat is what follows the last dot.
 *
 * <ul>
 *   <li>reports: {@code weights.queue_ms.p99<300} (stats: count, mean, min, p50, p90, p99, p999, max),
 *       {@code counters.errors<1};
 *   <li>JMH: {@code BENCHMARK.score>1000} or {@code BENCHMARK.ratio>0.9} (after/before), where
 *       BENCHMARK is the full name or its tail ({@code CheckpointLoadBenchmark.mmapZeroCopy},
 *       {@code mmapZeroCopy}, {@code mmapZeroCopy:bytes}); every parameter set that matches must pass.
 * </ul>
 */
public record Expectation(String metric, String stat, String op, double limit, String text) {

    /** What a JMH expectation may check: the AFTER score, or AFTER/BEFORE. */
    static final List<String> JMH_STATS = List.of("score", "ratio");

    /** The verdict on one expectation; {@code detail} gives the value found, or why none was. */
    public record Outcome(Expectation expectation, boolean passed, String detail) {}

    /**
     * Parses {@code METRIC.STAT<VALUE}.
     *
     * @throws IllegalArgumentException naming the text and the expected form
     */
    public static Expectation parse(String text) {
        String form = " (expected METRIC.STAT<VALUE or METRIC.STAT>VALUE, e.g. 'weights.queue_ms.p99<300')";
        int at = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '<' || c == '>') {
                at = i;
                break;
            }
        }
        if (at <= 0) {
            throw new IllegalArgumentException("--expect '" + text + "': no < or >" + form);
        }
        String op = text.substring(at, at + 1);
        int valueStart = at + 1;
        if (valueStart < text.length() && text.charAt(valueStart) == '=') {
            op += "=";
            valueStart++;
        }
        String left = text.substring(0, at).trim();
        int dot = left.lastIndexOf('.');
        if (dot <= 0 || dot == left.length() - 1) {
            throw new IllegalArgumentException("--expect '" + text + "': '" + left + "' is not METRIC.STAT" + form);
        }
        double limit;
        try {
            limit = Double.parseDouble(text.substring(valueStart).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--expect '" + text + "': '" + text.substring(valueStart).trim()
                    + "' is not a number" + form, e);
        }
        String metric = left.substring(0, dot);
        String stat = left.substring(dot + 1);
        if (!metric.equals("counters") && !MetricSummary.STATS.contains(stat) && !JMH_STATS.contains(stat)) {
            throw new IllegalArgumentException("--expect '" + text + "': '" + stat + "' is not a stat: one of "
                    + MetricSummary.STATS + ", a counter after 'counters.', or " + JMH_STATS + " for JMH" + form);
        }
        return new Expectation(metric, stat, op, limit, text);
    }

    /** Checks this expectation against the AFTER side (and BEFORE, for JMH ratios). */
    public Outcome check(CompareInput before, CompareInput after) {
        if (after instanceof CompareInput.ReportInput r) {
            return checkReport(r.report());
        }
        return checkJmh(((CompareInput.JmhInput) after).results(),
                before instanceof CompareInput.JmhInput b ? b.results() : List.of());
    }

    private Outcome checkReport(Report report) {
        double actual;
        if (metric.equals("counters")) {
            Long counter = report.counters().get(stat);
            if (counter == null) {
                return new Outcome(this, false, "no counter '" + stat + "' in AFTER");
            }
            actual = counter;
        } else {
            MetricSummary summary = report.metrics().get(metric);
            if (summary == null) {
                return new Outcome(this, false, "no metric '" + metric + "' in AFTER; it has " + report.metrics().keySet());
            }
            try {
                actual = summary.stat(stat);
            } catch (IllegalArgumentException e) {
                return new Outcome(this, false, e.getMessage());
            }
        }
        return new Outcome(this, holds(actual), "actual " + Numbers.millis(actual));
    }

    private Outcome checkJmh(List<JmhResult> after, List<JmhResult> before) {
        if (!stat.equals("score") && !stat.equals("ratio")) {
            return new Outcome(this, false, "JMH stat must be 'score' or 'ratio', was '" + stat + "'");
        }
        List<String> details = new ArrayList<>();
        boolean passed = true;
        for (JmhResult a : after) {
            String name = a.name();
            if (!(name.equals(metric) || name.endsWith("." + metric))) {
                continue;
            }
            double actual = a.score();
            if (stat.equals("ratio")) {
                JmhResult b = before.stream().filter(x -> x.key().equals(a.key())).findFirst().orElse(null);
                actual = b == null || b.score() == 0 ? Double.NaN : a.score() / b.score();
            }
            boolean ok = holds(actual);
            passed &= ok;
            details.add((a.paramsText().isEmpty() ? "" : "[" + a.paramsText() + "] ") + stat + " "
                    + Numbers.millis(actual) + (ok ? "" : " FAILS"));
        }
        if (details.isEmpty()) {
            return new Outcome(this, false, "no JMH benchmark named '" + metric + "' in AFTER");
        }
        return new Outcome(this, passed, String.join("; ", details));
    }

    private boolean holds(double actual) {
        if (Double.isNaN(actual)) {
            return false;
        }
        return switch (op) {
            case "<" -> actual < limit;
            case "<=" -> actual <= limit;
            case ">" -> actual > limit;
            default -> actual >= limit;
        };
    }
}
