package io.weightsync.core.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * report.json's {@code run}: which run this was and where it ran. Fields a kind of report has no
 * value for (an analysis has no {@code base_url}) are null and written as null.
 *
 * @param id a name for the run, unique enough to tell reports apart
 * @param startedAt ISO-8601 instant, e.g. {@code 2026-11-28T16:17:47Z}
 * @param mode the experiment mode ({@code shared}, {@code dedicated}) or null
 * @param baseUrl the server measured, or null
 * @param gitSha the harness commit, or null when unknown
 */
@JsonPropertyOrder({"id", "started_at", "mode", "base_url", "git_sha", "host"})
public record RunInfo(
        String id,
        @JsonProperty("started_at") String startedAt,
        String mode,
        @JsonProperty("base_url") String baseUrl,
        @JsonProperty("git_sha") String gitSha,
        Host host) {

    /**
     * The machine that produced the report.
     *
     * @param cores available processors
     * @param memory physical memory in bytes (0 when the JVM cannot tell)
     * @param java the Java runtime version
     */
    public record Host(int cores, long memory, String java) {

        /** This JVM's machine. */
        public static Host current() {
            long memoryBytes = 0;
            if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
                memoryBytes = os.getTotalMemorySize();
            }
            return new Host(Runtime.getRuntime().availableProcessors(), memoryBytes, System.getProperty("java.version"));
        }
    }
}
