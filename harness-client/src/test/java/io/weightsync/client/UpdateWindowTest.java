package io.weightsync.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpdateWindowTest {

    private static final long MS = 1_000_000;

    @Test
    void theStallIsTheLongestGapOverlappingTheEnginesWork() {
        UpdateWindow w = new UpdateWindow(1000 * MS); // sent at t=1000 ms
        w.offer(900 * MS, 950 * MS); // before the send: ignored
        w.offer(1100 * MS, 1300 * MS); // 200 ms, but before the engine started (queue time)
        w.offer(1790 * MS, 1830 * MS); // 40 ms, overlaps the engine's work
        w.offer(1830 * MS, 1920 * MS); // 90 ms, overlaps
        w.done(1900 * MS, 100); // engine worked 1800..1900
        w.offer(1950 * MS, 1990 * MS); // after done: ignored
        assertThat(w.stallMillis()).isEqualTo(90.0);
    }

    @Test
    void aGapStillOpenWhenTheResponseArrivesCountsWhenItCloses() {
        UpdateWindow w = new UpdateWindow(0);
        w.done(500 * MS, 200);
        w.offer(250 * MS, 800 * MS);
        assertThat(w.stallMillis()).isEqualTo(550.0);
    }

    @Test
    void noStallWithoutStreamsOrForAFailedUpdate() {
        UpdateWindow idle = new UpdateWindow(0);
        idle.done(100 * MS, 50);
        assertThat(idle.stallMillis()).isNaN();
        UpdateWindow failed = new UpdateWindow(0);
        failed.offer(10 * MS, 90 * MS);
        failed.done(100 * MS, Double.NaN);
        assertThat(failed.stallMillis()).isNaN();
    }

    @Test
    void clientMetricsRecordsAStallOncePerFinishedWindow() {
        ClientMetrics metrics = new ClientMetrics();
        UpdateWindow w = metrics.openWindow(0);
        metrics.chunkGap(10 * MS, 60 * MS);
        metrics.recordStalls(Long.MAX_VALUE); // not done yet: kept
        w.done(100 * MS, 95);
        metrics.recordStalls(Long.MAX_VALUE);
        metrics.recordStalls(Long.MAX_VALUE);
        var h = metrics.recorders().get("gen.stall_ms").getIntervalHistogram();
        assertThat(h.getTotalCount()).isEqualTo(1);
        assertThat(h.getMaxValue() / 1000.0).isBetween(49.9, 50.1);
    }
}
