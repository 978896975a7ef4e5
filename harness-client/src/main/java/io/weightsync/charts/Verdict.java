package io.weightsync.charts;

import io.weightsync.analyze.SummaryWriter;
import io.weightsync.core.report.Finding;
import io.weightsync.core.report.Report;
import java.util.List;
import java.util.Map;

/**
 * The top of a page, what a reader looks for first: one headline sentence, the checks as PASS / FAIL
 * / NOT MEASURED lines (the experiment's signature, compare's {@code --expect}s), then each run's diagnosis (its
 * verdict and every finding's evidence), as SUMMARY.md gives them.
 */
final class Verdict {

    /** What became of a check; {@link #NOT_MEASURED}: the run could not have its figure (neither pass nor fail). */
    enum Mark {
        PASS("pass", "PASS"), FAIL("fail", "FAIL"), NOT_MEASURED("unmeasured", "NOT MEASURED");

        final String cssClass;
        final String label;

        Mark(String cssClass, String label) {
            this.cssClass = cssClass;
            this.label = label;
        }
    }

    /** One check: {@code text} says what was expected and what was measured. */
    record Check(Mark mark, String text) {
        Check(boolean passed, String text) {
            this(passed ? Mark.PASS : Mark.FAIL, text);
        }
    }

    /**
     * Whether a headline reads as good news ({@code pass}), bad news ({@code fail}) or neither
     * ({@code neutral}: nothing was checked, or the run stopped early).
     */
    enum Tone { PASS, FAIL, NEUTRAL }

    private Verdict() {}

    /**
     * The section.
     *
     * @param headline e.g. "Signature reproduced"
     * @param checks in order; none prints no list
     * @param diagnoses run name to its report, in order
     */
    static String html(String headline, Tone tone, List<Check> checks, Map<String, Report> diagnoses) {
        StringBuilder html = new StringBuilder("<section class=\"verdict\">\n<p class=\"headline ")
                .append(tone.name().toLowerCase(java.util.Locale.ROOT)).append("\">").append(ChartPage.escape(headline))
                .append("</p>\n");
        if (!checks.isEmpty()) {
            html.append("<ul class=\"checks\">\n");
            for (Check c : checks) {
                html.append("<li class=\"").append(c.mark().cssClass).append("\"><b>")
                        .append(c.mark().label).append("</b> ").append(ChartPage.escape(c.text()))
                        .append("</li>\n");
            }
            html.append("</ul>\n");
        }
        html.append("<h2>Diagnosis</h2>\n<ul class=\"diagnosis\">\n");
        for (Map.Entry<String, Report> e : diagnoses.entrySet()) {
            Report r = e.getValue();
            html.append("<li><b>").append(ChartPage.escape(e.getKey())).append("</b>: ")
                    .append(ChartPage.escape(SummaryWriter.verdict(r)));
            if (!r.diagnosis().isEmpty()) {
                html.append("\n<ul>\n");
                for (Finding f : r.diagnosis()) {
                    html.append("<li>").append(ChartPage.escape(f.id())).append(" (").append(ChartPage.escape(f.severity()))
                            .append("): <span class=\"evidence\">").append(ChartPage.escape(f.evidence()))
                            .append("</span></li>\n");
                }
                html.append("</ul>\n");
            }
            html.append("</li>\n");
        }
        return html.append("</ul>\n</section>\n").toString();
    }
}
