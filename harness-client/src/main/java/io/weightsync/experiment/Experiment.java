package io.weightsync.experiment;

import io.weightsync.analyze.SummaryWriter;
import io.weightsync.charts.ExperimentHtml;
import io.weightsync.client.AdminMode;
import io.weightsync.compare.CompareInput;
import io.weightsync.compare.ReportComparison;
import io.weightsync.core.report.Finding;
import io.weightsync.progress.ProgressDisplay;
import io.weightsync.sim.OrchestratorException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./harness experiment}: the same RL workload once per admin-client mode (shared, then
 * dedicated), then the comparison: {@code COMPARE.md} (first mode vs last), {@code SUMMARY.md} (the
 * diagnosis and the signature checks), {@code report.html} (plots), and the table printed at the end.
 */
public final class Experiment {

    /**
     * What a run produced.
     *
     * @param partial why the run stopped early (the last mode's report is marked partial, later modes
     *     did not run); null when it ran to the end
     */
    public record Result(Path out, List<ModeResult> modes, List<Signature.Check> checks, String table, String partial) {}

    private final ExperimentConfig config;
    private final String runId;

    public Experiment(ExperimentConfig config, String runId) {
        this.config = config;
        this.runId = runId;
    }

    /**
     * @param progressOut where progress goes: stderr, shown as a bar when it is a terminal, as plain
     *     lines otherwise, not at all when the config turns progress off
     * @param messages warnings for the person running it
     */
    public Result run(PrintStream progressOut, java.io.PrintWriter messages)
            throws IOException, InterruptedException, OrchestratorException {
        Files.createDirectories(config.out());
        ModeRunner runner = new ModeRunner(config, runId, gitSha());
        List<ModeResult> results = new ArrayList<>();
        String partial = null;
        int modes = config.modes().size();
        ProgressDisplay.Kind kind = ProgressDisplay.Kind.forStderr(config.progress());
        // the bar's clock moves between steps, so it redraws twice a second; plain lines come per event
        try (ProgressDisplay bar = ProgressDisplay.open(kind, "experiment", (long) modes * config.steps(), "steps", 500,
                progressOut)) {
            for (int i = 0; i < modes && partial == null; i++) {
                AdminMode mode = config.modes().get(i);
                long done = (long) i * config.steps();
                ModeRunner.Progress progress = new ModeRunner.Progress() {
                    @Override
                    public void phase(String text) {
                        bar.phase(text);
                    }

                    @Override
                    public void stepDone(int step, int steps, long completions) {
                        bar.stepTo(done + step, String.format(java.util.Locale.ROOT, "%s: step %d/%d done, %d completions",
                                mode.label(), step, steps, completions));
                    }

                    @Override
                    public void warning(String text) {
                        messages.println("warning: " + text);
                        messages.flush();
                    }
                };
                try {
                    results.add(runner.run(mode, progress));
                } catch (PartialModeException e) {
                    results.add(e.partial());
                    partial = e.getMessage();
                }
            }
        }
        List<Signature.Check> checks = partial == null ? Signature.checks(results) : List.of();
        String table = ResultTable.text(results, checks);
        if (results.size() >= 2) {
            ModeResult before = results.get(0);
            ModeResult after = results.get(results.size() - 1);
            Files.writeString(config.out().resolve("COMPARE.md"), ReportComparison.markdown(
                    new CompareInput.ReportInput(config.out().resolve(before.mode()), before.report()),
                    new CompareInput.ReportInput(config.out().resolve(after.mode()), after.report())));
        }
        Files.writeString(config.out().resolve("SUMMARY.md"), summary(results, checks, table, partial));
        Files.writeString(config.out().resolve("report.html"), ExperimentHtml.html(runId, results, checks, partial));
        return new Result(config.out(), results, checks, table, partial);
    }

    private String summary(List<ModeResult> results, List<Signature.Check> checks, String table, String partial) {
        StringBuilder md = new StringBuilder("# Experiment ").append(runId).append(": ");
        md.append(partial != null ? "PARTIAL, stopped early" : checks.isEmpty() ? "no signature to check"
                : Signature.verdict(checks)).append("\n\n");
        if (partial != null) {
            md.append("**Stopped early**: ").append(partial).append(". The numbers below cover the time until then;"
                    + " modes after it did not run.\n\n");
        }
        for (ModeResult m : results) {
            md.append("- **").append(m.mode()).append("**: ").append(SummaryWriter.verdict(m.report())).append('\n');
            for (Finding f : m.report().diagnosis()) {
                md.append("  - ").append(f.id()).append(" (").append(f.severity()).append("): ").append(f.evidence())
                        .append('\n');
            }
        }
        md.append("\n## Table\n\n```\n").append(table).append("```\n\n");
        md.append("""
                ## How to read it

                - `weights.queue_ms` = `wall_ms - rpc_ms`: everything an update spent that was not the engine's load
                  (the client's queue, the network, the server's front end). In `shared` mode the update is enqueued
                  on the rollouts' own OkHttp Dispatcher behind the rollouts already waiting there, so it waits for
                  that many streams to finish; in `dedicated` mode it has its own client and connection.
                - `weights.recv_gap_ms` = `server.recv - client.send`: how long before the server even saw it.
                - `gen.stall_ms`: per update, the longest gap between two chunks of any stream across the engine's
                  work: what the update cost the rollouts.
                - Per mode: `report.json` (all metrics, histograms, diagnosis), `SUMMARY.md` (the diagnosis of the
                  mode's logs), `client.log` and `server.log` (event lines), `metrics.hlog` (HdrHistogram interval
                  log, 1 s intervals, values in microseconds). `COMPARE.md`: every metric, before vs after.
                """);
        return md.toString();
    }

    /** The harness's commit when run from a git checkout; null otherwise. */
    public static String gitSha() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            if (git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 && out.matches("[0-9a-f]{40}")) {
                return out;
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
