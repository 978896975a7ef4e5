package io.weightsync.compare;

import io.weightsync.core.report.Finding;
import io.weightsync.core.report.MetricNames;
import io.weightsync.core.report.MetricSummary;
import io.weightsync.core.report.Report;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Two reports side by side in markdown: one table per metric (every stat: before, after, ratio =
 * after/before, change), then the counters, then both diagnoses. Metrics present on one side only are
 * shown with "-" on the other.
 */
public final class ReportComparison {

    private ReportComparison() {}

    public static String markdown(CompareInput.ReportInput before, CompareInput.ReportInput after) {
        Report b = before.report();
        Report a = after.report();
        StringBuilder md = new StringBuilder("# Comparison\n\n");
        md.append("| | report | kind | run | verdict |\n|---|---|---|---|---|\n");
        side(md, "before", before);
        side(md, "after", after);
        Set<String> names = new LinkedHashSet<>(b.metrics().keySet());
        names.addAll(a.metrics().keySet());
        for (String name : names) {
            MetricSummary mb = b.metrics().get(name);
            MetricSummary ma = a.metrics().get(name);
            if ((mb == null || mb.count() == 0) && (ma == null || ma.count() == 0)) {
                continue;
            }
            String unit = MetricNames.unit(name);
            md.append("\n## `").append(name).append('`').append(unit.isEmpty() ? "" : " (" + unit + ")").append("\n\n");
            md.append("| stat | before | after | ratio | change |\n|---|---:|---:|---:|---:|\n");
            for (String stat : MetricSummary.STATS) {
                double vb = stat(mb, stat);
                double va = stat(ma, stat);
                md.append("| ").append(stat).append(" | ").append(Ratios.value(vb)).append(" | ")
                        .append(Ratios.value(va)).append(" | ").append(Ratios.ratio(vb, va)).append(" | ")
                        .append(Ratios.change(vb, va)).append(" |\n");
            }
        }
        Set<String> counters = new LinkedHashSet<>(b.counters().keySet());
        counters.addAll(a.counters().keySet());
        if (!counters.isEmpty()) {
            md.append("\n## Counters\n\n| counter | before | after | change |\n|---|---:|---:|---:|\n");
            for (String c : counters) {
                double vb = counter(b.counters(), c);
                double va = counter(a.counters(), c);
                md.append("| ").append(c).append(" | ").append(Ratios.value(vb)).append(" | ").append(Ratios.value(va))
                        .append(" | ").append(Ratios.change(vb, va)).append(" |\n");
            }
        }
        md.append("\n## Diagnosis\n\n");
        md.append("- before: ").append(findings(b)).append('\n');
        md.append("- after: ").append(findings(a)).append('\n');
        return md.toString();
    }

    private static void side(StringBuilder md, String label, CompareInput.ReportInput in) {
        Report r = in.report();
        md.append("| ").append(label).append(" | `").append(in.path()).append("` | ").append(r.kind()).append(" | ")
                .append(r.run() == null || r.run().id() == null ? "-" : r.run().id()).append(" | ")
                .append(r.healthy() ? "healthy" : r.diagnosis().stream().map(Finding::id).collect(Collectors.joining(", ")))
                .append(" |\n");
    }

    private static double stat(MetricSummary m, String stat) {
        return m == null || (m.count() == 0 && !stat.equals("count")) ? Double.NaN : m.stat(stat);
    }

    private static double counter(Map<String, Long> counters, String name) {
        Long v = counters.get(name);
        return v == null ? Double.NaN : v;
    }

    private static String findings(Report r) {
        if (r.healthy()) {
            return "healthy";
        }
        return r.diagnosis().stream().map(f -> f.id() + " (" + f.severity() + ")").collect(Collectors.joining(", "));
    }
}
