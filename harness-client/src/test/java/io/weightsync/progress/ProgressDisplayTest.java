package io.weightsync.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {

    /** A sink that is not a terminal, as a file or pipe is, with a clock the test moves. */
    private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    private final AtomicLong clockNanos = new AtomicLong();

    private List<String> lines() {
        return sink.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private void hoursPass(long hours) {
        clockNanos.addAndGet(TimeUnit.HOURS.toNanos(hours));
    }

    @Test
    void anExperimentIntoAFilePrintsOneLinePerPhaseAndStepAndNoCarriageReturn() {
        int modes = 2;
        int steps = 6;
        try (ProgressDisplay display = new PlainLines("experiment", modes * steps, "steps", out, clockNanos::get)) {
            for (int m = 0; m < modes; m++) {
                display.phase("mode" + m + ": starting server");
                hoursPass(1); // time alone prints nothing
                display.phase("mode" + m + ": warm-up");
                for (int step = 1; step <= steps; step++) {
                    hoursPass(1);
                    display.stepTo((long) m * steps + step, "mode" + m + ": step " + step + "/" + steps + " done, 8 completions");
                }
            }
        }
        String text = sink.toString(StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\r").doesNotContain("\u001b");
        assertThat(lines()).hasSize(modes * 2 + modes * steps);
        assertThat(lines().get(0)).isEqualTo("experiment 0/12 steps, 0:00:00 elapsed: mode0: starting server");
        assertThat(lines().get(4)).isEqualTo("experiment 3/12 steps, 4:00:00 elapsed: mode0: step 3/6 done, 8 completions");
        assertThat(lines().get(lines().size() - 1)).startsWith("experiment 12/12 steps, 14:00:00 elapsed: mode1: step 6/6");
    }

    @Test
    void aStepReportedAgainWithoutProgressPrintsNothing() {
        try (ProgressDisplay display = new PlainLines("experiment", 4, "steps", out, clockNanos::get)) {
            display.stepTo(0, "nothing done yet");
            display.stepTo(1, "one");
            for (int i = 0; i < 100; i++) {
                hoursPass(1);
                display.stepTo(1, "one again");
            }
        }
        assertThat(lines()).containsExactly("experiment 1/4 steps, 0:00:00 elapsed: one");
    }

    /** A soak's steps are seconds: an hour of them must not become 3,600 lines. */
    @Test
    void manyStepsAreThinnedToOneLinePerTwentiethOfTheTotal() {
        long seconds = 3600;
        try (ProgressDisplay display = new PlainLines("soak", seconds, "s", out, clockNanos::get)) {
            display.phase("64 streams");
            for (long s = 1; s <= seconds; s++) {
                clockNanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
                display.stepTo(s, "RSS " + s + " MiB");
            }
        }
        assertThat(lines()).hasSize(1 + PlainLines.MAX_STEP_LINES);
        assertThat(lines().get(1)).isEqualTo("soak 180/3600 s, 0:03:00 elapsed: RSS 180 MiB");
        assertThat(lines().get(lines().size() - 1)).isEqualTo("soak 3600/3600 s, 1:00:00 elapsed: RSS 3600 MiB");
        assertThat(sink.toString(StandardCharsets.UTF_8)).doesNotContain("\r");
    }

    @Test
    void closingPrintsTheLastStepWhenItWasThinnedOut() {
        ProgressDisplay display = new PlainLines("soak", 100, "s", out, clockNanos::get);
        display.stepTo(5, "first twentieth");
        display.stepTo(7, "stopped early here");
        display.close();
        display.stepTo(100, "after close");
        display.phase("after close");
        assertThat(lines()).containsExactly("soak 5/100 s, 0:00:00 elapsed: first twentieth",
                "soak 7/100 s, 0:00:00 elapsed: stopped early here");
    }

    @Test
    void noProgressPrintsNothing() {
        try (ProgressDisplay display = ProgressDisplay.open(ProgressDisplay.Kind.NONE, "experiment", 10, "steps", 500, out)) {
            display.phase("warm-up");
            display.stepTo(10, "done");
        }
        assertThat(sink.size()).isZero();
    }

    /** What a terminal gets, and why a file must not: every redraw starts with a carriage return. */
    @Test
    void theTerminalBarRedrawsInPlaceWithCarriageReturns() {
        try (ProgressDisplay display = ProgressDisplay.open(ProgressDisplay.Kind.BAR, "experiment", 4, "steps", 100, out)) {
            display.phase("shared");
            display.stepTo(4, "shared: step 4/4 done");
        }
        // the first draw (at once) and the last (on close) at least, whatever the scheduler does between
        assertThat(sink.toString(StandardCharsets.UTF_8)).contains("\r").contains("4/4 steps");
    }

    /** Surefire's forked JVM writes stderr into a pipe to Maven, never a terminal, wherever mvn runs. */
    @Test
    void stderrOfTheTestJvmIsNotATerminalSoProgressComesAsLines() {
        assertThat(StderrTerminal.isTerminal()).isFalse();
        assertThat(ProgressDisplay.Kind.forStderr(true)).isEqualTo(ProgressDisplay.Kind.LINES);
        assertThat(ProgressDisplay.Kind.forStderr(false)).isEqualTo(ProgressDisplay.Kind.NONE);
    }

    @Test
    void anEmptyTotalIsRefused() {
        assertThatThrownBy(() -> ProgressDisplay.open(ProgressDisplay.Kind.LINES, "soak", 0, "s", 1000, out))
                .hasMessage("progress total must be > 0, was 0");
    }
}
