package io.weightsync.experiment;

import io.weightsync.client.AdminMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * Everything one {@code ./harness experiment} run needs; also what its reports record under
 * {@code config}, so a run can be repeated.
 *
 * @param baseUrl a live server; null to start the embedded one per mode
 * @param modes the admin-client modes to run, in order (before first)
 * @param streams rollouts in flight: the rollout client's per-host limit
 * @param queued rollouts submitted beyond that, waiting in the client's queue
 * @param batchSize completions per step
 * @param updates weight updates per mode (the steps are {@code updates + asyncLevel + 1})
 * @param maxTokens per rollout
 * @param temperature rollout sampling temperature
 * @param asyncLevel prime-rl's async_level
 * @param warmupBatches unmeasured batches before each mode
 * @param stepInterval the trainer's time per step
 * @param pollInterval the orchestrator's checkpoint poll
 * @param seed prompts, sampling and perturbations
 * @param out the run's folder
 * @param updateMode the embedded server's --update-mode (pause, overlap)
 * @param maxBatch the embedded server's --max-batch
 * @param model the served model name sent in requests; null: the server's first /v1/models entry
 * @param base the checkpoint the trainer starts from; null: the built-in tiny model's step_0
 * @param weightsRoot where the trainer publishes (must be readable by the server); null: a temp folder
 *     per mode, removed afterwards
 * @param adminToken bearer token for admin calls, or null
 * @param progress show a progress bar
 */
public record ExperimentConfig(HttpUrl baseUrl, List<AdminMode> modes, int streams, int queued, int batchSize,
        int updates, int maxTokens, double temperature, int asyncLevel, int warmupBatches, Duration stepInterval,
        Duration pollInterval, long seed, Path out, String updateMode, int maxBatch, String model, Path base,
        Path weightsRoot, String adminToken, boolean progress) {

    public ExperimentConfig {
        modes = List.copyOf(modes);
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("--modes must name at least one of shared, dedicated");
        }
        if (modes.stream().distinct().count() != modes.size()) {
            throw new IllegalArgumentException("--modes names a mode twice: " + modes);
        }
        if (updates < 1) {
            throw new IllegalArgumentException("--updates must be >= 1, was " + updates);
        }
    }

    /** Orchestrator steps per mode: the first update happens at step asyncLevel + 1. */
    public int steps() {
        return updates + asyncLevel + 1;
    }

    /** The settings as report.json's {@code config} (no token: a report is shared). */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base_url", baseUrl == null ? "embedded" : baseUrl.toString());
        m.put("modes", modes.stream().map(AdminMode::label).toList());
        m.put("streams", streams);
        m.put("queued", queued);
        m.put("batch_size", batchSize);
        m.put("updates", updates);
        m.put("steps", steps());
        m.put("max_tokens", maxTokens);
        m.put("temperature", temperature);
        m.put("async_level", asyncLevel);
        m.put("warmup_batches", warmupBatches);
        m.put("step_interval_ms", stepInterval.toMillis());
        m.put("poll_interval_ms", pollInterval.toMillis());
        m.put("seed", seed);
        m.put("update_mode", baseUrl == null ? updateMode : "as the server is configured");
        m.put("max_batch", baseUrl == null ? maxBatch : null);
        m.put("model", model);
        m.put("base", base == null ? "tiny" : base.toString());
        m.put("admin_token", adminToken == null ? "none" : "set");
        return m;
    }
}
