package io.weightsync.cli.compare;

import io.weightsync.charts.CompareHtml;
import io.weightsync.compare.CompareInput;
import io.weightsync.compare.Expectation;
import io.weightsync.compare.JmhComparison;
import io.weightsync.compare.ReportComparison;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code harness compare BEFORE AFTER [--expect ...] [--html FILE]}: markdown to stdout. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Compare two runs and print markdown: per metric before, after, ratio (after/before) and change, "
                    + "then the counters and both diagnoses.",
            "BEFORE/AFTER: a report.json, a folder holding one (experiment, analysis, Gatling), or two JMH JSON "
                    + "result files (score \u00b1 error per benchmark, metric and parameter set, with the ratio).",
            "Exit 0; 1 when an --expect fails (each failure listed on stderr) or an input cannot be read.",
            ""
        })
public final class CompareCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "BEFORE", description = "report.json, a folder holding one, or JMH JSON")
    Path before;

    @Parameters(index = "1", paramLabel = "AFTER", description = "the same kind of input as BEFORE")
    Path after;

    @Option(names = "--expect", paramLabel = "METRIC.STAT<VALUE",
            description = "a check on AFTER, repeatable, e.g. 'weights.queue_ms.p99<300' or 'counters.errors<1'; "
                    + "for JMH 'mmapZeroCopy.score>1000' or 'mmapZeroCopy.ratio>0.9' (after/before); "
                    + "also >, <=, >=")
    List<String> expect = new ArrayList<>();

    @Option(names = "--html", paramLabel = "FILE",
            description = "also write overlaid percentile-distribution plots of the shared histograms (reports only)")
    Path html;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Expectation> expectations = new ArrayList<>();
        for (String e : expect) {
            try {
                expectations.add(Expectation.parse(e));
            } catch (IllegalArgumentException ex) {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            CompareInput b = CompareInput.load(before);
            CompareInput a = CompareInput.load(after);
            if (b instanceof CompareInput.ReportInput rb && a instanceof CompareInput.ReportInput ra) {
                out.print(ReportComparison.markdown(rb, ra));
                if (html != null) {
                    List<Expectation.Outcome> outcomes = new ArrayList<>();
                    expectations.forEach(e -> outcomes.add(e.check(b, a)));
                    Path parent = html.toAbsolutePath().getParent();
                    Files.createDirectories(parent);
                    Files.writeString(html, CompareHtml.html(rb, ra, outcomes));
                }
            } else if (b instanceof CompareInput.JmhInput jb && a instanceof CompareInput.JmhInput ja) {
                if (html != null) {
                    err.println("--html: JMH results carry no histograms; no plot written");
                }
                out.print(JmhComparison.markdown(jb, ja));
            } else {
                err.println("cannot compare a harness report with JMH results: " + b.path() + " vs " + a.path());
                err.flush();
                return 1;
            }
            int failed = 0;
            if (!expectations.isEmpty()) {
                out.println("\n## Expectations\n");
                for (Expectation e : expectations) {
                    Expectation.Outcome o = e.check(b, a);
                    out.println("- " + (o.passed() ? "PASS" : "FAIL") + " `" + e.text() + "`: " + o.detail());
                    if (!o.passed()) {
                        failed++;
                        err.println("expectation failed: " + e.text() + ": " + o.detail());
                    }
                }
            }
            out.flush();
            err.flush();
            return failed == 0 ? 0 : 1;
        } catch (IOException e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        }
    }
}
