package io.weightsync.analyze;

import io.weightsync.core.events.CkptEvent;
import io.weightsync.core.events.RolloutEvent;
import java.util.List;

/**
 * The worst cases behind the numbers, bounded in size whatever the log's: what a diagnosis cites and
 * SUMMARY.md lists.
 *
 * @param worstQueue updates with the largest queue_ms, largest first
 * @param worstRpc updates with the largest rpc_ms, largest first
 * @param unfinished the first updates that lacked some of their five lines
 * @param worstWaits the longest checkpoint waits
 * @param stalest rollout lines with the largest staleness
 * @param mostTruncated rollout lines with the largest trunc_pct
 * @param duplicates the first repeated phases, as {@code <trace> <phase>}
 * @param malformed the first malformed event lines, as {@code file:line: problems}
 * @param files what each log held
 */
public record Evidence(
        List<UpdateTrace> worstQueue,
        List<UpdateTrace> worstRpc,
        List<UpdateTrace> unfinished,
        List<CkptEvent.WaitDone> worstWaits,
        List<RolloutEvent> stalest,
        List<RolloutEvent> mostTruncated,
        List<String> duplicates,
        List<String> malformed,
        List<LogScanner.FileStats> files) {}
