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
        assertThat(run.out()).contains("warm-up round 1 of 1 (not measured): 16 of 16 streams finished, 0 errors");
        // the measured round's requests only, not the warm-up's as well
        assertThat(run.out()).containsPattern("/is_paused server-side overhead: \\d of 4 under 10 ms");
        assertThat(run.out()).containsPattern("/update_weights server-side overhead: \\d of 2 under 10 ms");
        assertThat(run.out()).containsPattern("/update_weights server-side overhead: .*; ms p50 [0-9.]+ p99 [0-9.]+ max [0-9.]+");
    }

    @Test
    void nonPositiveStreamsIsAUsageError() {
        CliRun run = CliRun.harness("bench", "serve", "--streams", "0");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("must be >= 1");
    }

    @Test
    void niceValuesOutsideZeroToNineteenAndNegativeWarmupAreUsageErrors() {
        CliRun nice = CliRun.harness("bench", "serve", "--engine-nice", "20");
        assertThat(nice.exit()).isEqualTo(2);
        assertThat(nice.err()).contains("--engine-nice and --client-nice must be in 0..19, got 20");
        CliRun client = CliRun.harness("bench", "serve", "--client-nice", "-1");
        assertThat(client.exit()).isEqualTo(2);
        assertThat(client.err()).contains("got -1");
        CliRun warmup = CliRun.harness("bench", "serve", "--warmup-rounds", "-1");
        assertThat(warmup.exit()).isEqualTo(2);
        assertThat(warmup.err()).contains("--warmup-rounds must be >= 0");
    }
}
