package io.weightsync.experiment;

import io.weightsync.core.report.Report;
import java.util.List;

/**
 * What one mode of an experiment ({@code shared} or {@code dedicated}) produced: its report (kind
 * "experiment", histograms included), the throughput it received over time and the phases of every
 * measured update (warm-up excluded).
 */
public record ModeResult(String mode, Report report, List<ThroughputSample> throughput, List<UpdatePhases> updates) {
    public ModeResult {
        throughput = List.copyOf(throughput);
        updates = List.copyOf(updates);
    }
}
