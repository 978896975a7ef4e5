package io.weightsync.core.events;

/**
 * {@code [rollout] trunc_pct= current_step= ckpt_step= staleness=}: one rollout step.
 *
 * @param truncPct percent (0..100) of completions cut by max_tokens ({@code finish_reason "length"})
 * @param currentStep the orchestrator's step
 * @param ckptStep the step of the weights the rollouts were generated with
 * @param staleness {@code currentStep - ckptStep} as written by the producer; compare with async_level
 */
public record RolloutEvent(double truncPct, long currentStep, long ckptStep, long staleness)
        implements Event {

    public RolloutEvent {
        if (!(truncPct >= 0.0 && truncPct <= 100.0)) {
            throw new IllegalArgumentException("trunc_pct must be a percent in 0..100, was " + truncPct);
        }
    }

    /** A rollout line whose staleness is {@code currentStep - ckptStep}. */
    public static RolloutEvent of(double truncPct, long currentStep, long ckptStep) {
        return new RolloutEvent(truncPct, currentStep, ckptStep, currentStep - ckptStep);
    }

    @Override
    public EventKind kind() {
        return EventKind.ROLLOUT;
    }
}
