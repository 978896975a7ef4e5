package io.weightsync.soak;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What the soak's load did over the whole run.
 *
 * @param streamsDone streams that finished with a finish_reason
 * @param streamErrors streams that failed (cancelled ones at the end are not errors)
 * @param firstStreamError the first failure, one line; null without one
 * @param tokens completion tokens received
 * @param updatesOk weight updates answered 200
 * @param updatesFailed weight updates that failed
 * @param firstUpdateError the first failed update, one line; null without one
 * @param histograms client-side latencies of the whole run, by metric name (values x {@code MetricHistograms.SCALE})
 */
public record SoakWorkload(long streamsDone, long streamErrors, String firstStreamError, long tokens, long updatesOk,
        long updatesFailed, String firstUpdateError, Map<String, Histogram> histograms) {}
