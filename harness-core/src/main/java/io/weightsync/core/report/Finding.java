package io.weightsync.core.report;

import java.util.Objects;

/**
 * One entry of report.json's {@code diagnosis}: which bottleneck, how bad, and the numbers that show it.
 *
 * @param id {@code frontend_queue}, {@code weight_loading}, {@code checkpoint_io}, {@code staleness} or
 *     {@code truncation} (the contract's rule names)
 * @param severity {@link #WARNING} or {@link #CRITICAL}
 * @param evidence the measured values and the worst cases, for a person to read
 */
public record Finding(String id, String severity, String evidence) {

    public static final String WARNING = "warning";
    public static final String CRITICAL = "critical";

    public Finding {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(evidence, "evidence");
    }
}
