package io.weightsync.compare;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Two JMH result files side by side in markdown: one row per benchmark, metric (primary, then
 * secondary such as {@code :bytes}) and parameter set, with score ± error on each side and the ratio
 * after/before. A row present on one side only is shown with "-" on the other. Benchmark names lose
 * the package they share, so rows stay readable.
 */
public final class JmhComparison {

    private JmhComparison() {}

    public static String markdown(CompareInput.JmhInput before, CompareInput.JmhInput after) {
        Map<String, JmhResult[]> rows = new LinkedHashMap<>();
        for (JmhResult r : before.results()) {
            rows.computeIfAbsent(r.key(), k -> new JmhResult[2])[0] = r;
        }
        for (JmhResult r : after.results()) {
            rows.computeIfAbsent(r.key(), k -> new JmhResult[2])[1] = r;
        }
        StringBuilder md = new StringBuilder("# JMH comparison\n\n");
        md.append("- before: `").append(before.path()).append("`\n- after: `").append(after.path()).append("`\n\n");
        md.append("| benchmark | params | mode | before | after | unit | ratio | change |\n");
        md.append("|---|---|---|---:|---:|---|---:|---:|\n");
        for (JmhResult[] pair : rows.values()) {
            JmhResult any = pair[0] != null ? pair[0] : pair[1];
            double sb = pair[0] == null ? Double.NaN : pair[0].score();
            double sa = pair[1] == null ? Double.NaN : pair[1].score();
            md.append("| ").append(shortName(any)).append(" | ").append(any.paramsText()).append(" | ")
                    .append(any.mode()).append(" | ").append(score(pair[0])).append(" | ").append(score(pair[1]))
                    .append(" | ").append(any.unit()).append(" | ").append(Ratios.ratio(sb, sa)).append(" | ")
                    .append(Ratios.change(sb, sa)).append(" |\n");
        }
        md.append("\nErrors are JMH's 99.9% confidence half-intervals; overlapping intervals mean no measured change.\n");
        return md.toString();
    }

    /** {@code CheckpointLoadBenchmark.mmapZeroCopy:bytes}: class, method and metric, no package. */
    static String shortName(JmhResult r) {
        String[] parts = r.benchmark().split("\\.");
        String prefix = parts.length >= 2 ? r.benchmark().substring(0, r.benchmark().length()
                - parts[parts.length - 2].length() - parts[parts.length - 1].length() - 1) : "";
        return r.name().substring(prefix.length());
    }

    private static String score(JmhResult r) {
        if (r == null) {
            return "-";
        }
        return Ratios.value(round(r.score())) + (Double.isNaN(r.error()) ? "" : " ± " + Ratios.value(round(r.error())));
    }

    /** Four significant digits: JMH's errors make more noise. */
    private static double round(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
    }
}
