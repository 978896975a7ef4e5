package io.weightsync.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.weightsync.cli.CliRun;
import org.junit.jupiter.api.Test;

class ServeBenchCommandTest {

    @Test
    void smallRunReportsEveryStreamFinishedAndTheAdminOverhead() {
        System.setProperty("ai.djl.offline", "true");
        CliRun run = CliRun.harness("bench", "serve", "--streams", "16", "--max-tokens", "4", "--max-batch", "8",
                "--admin-requests", "4");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("streams: 16 requested", "16 finished with 4 tokens, 0 errors",
                "/is_paused server-side overhead:", "/update_weights server-side overhead:");
        assertThat(run.out()).containsPattern("/is_paused server-side overhead: \\d of 4 under 10 ms");
        assertThat(run.out()).containsPattern("/update_weights server-side overhead: .*; ms p50 [0-9.]+ p99 [0-9.]+ max [0-9.]+");
    }

    @Test
    void nonPositiveStreamsIsAUsageError() {
        CliRun run = CliRun.harness("bench", "serve", "--streams", "0");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("must be >= 1");
    }
}
