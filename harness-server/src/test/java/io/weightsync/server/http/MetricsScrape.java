package io.weightsync.server.http;

import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Series read from the server's {@code GET /metrics} (Prometheus text), and bounded waits on them. */
final class MetricsScrape {

    private MetricsScrape() {}

    /** The value of one series in a scrape; 0 when absent (a labelled counter never incremented). */
    static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static double value(ServerFixture f, String series) throws Exception {
        return value(f.get("/metrics").body(), series);
    }

    /** {@code harness_requests_finished_total} for one finish reason. */
    static double finished(ServerFixture f, String reason) throws Exception {
        return value(f, "harness_requests_finished_total{finished_reason=\"" + reason + "\"}");
    }

    /** Scrapes until {@code series} satisfies {@code until} or {@code seconds} pass; returns the last value read. */
    static double await(ServerFixture f, String series, DoublePredicate until, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        double last = value(f, series);
        while (!until.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(10);
            last = value(f, series);
        }
        return last;
    }
}
