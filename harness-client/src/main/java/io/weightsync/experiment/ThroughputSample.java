package io.weightsync.experiment;

/**
 * Token throughput the client received over one sampling interval.
 *
 * @param epochMs end of the interval, epoch milliseconds
 * @param tokensPerSecond tokens received in the interval / its length
 */
public record ThroughputSample(double epochMs, double tokensPerSecond) {}
