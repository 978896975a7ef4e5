package io.weightsync.soak;

import java.util.EnumMap;
import java.util.Map;

/**
 * One sampling interval of a soak: the server's resources from {@code /metrics}, and what the load
 * did up to then.
 *
 * @param elapsedSeconds since the load started
 * @param resources each resource's value, NaN where the server does not expose it
 * @param tokensPerSecond completion tokens received in the interval, per second
 * @param itlP99Millis p99 gap between two chunks of a stream in the interval; NaN without one
 * @param streamsDone streams finished with a finish_reason so far
 * @param streamErrors streams that failed so far
 * @param updatesOk weight updates answered 200 so far
 * @param updatesFailed weight updates that failed so far
 */
public record ResourceSample(double elapsedSeconds, Map<Resource, Double> resources, double tokensPerSecond,
        double itlP99Millis, long streamsDone, long streamErrors, long updatesOk, long updatesFailed) {

    public ResourceSample {
        resources = new EnumMap<>(resources);
    }

    public double value(Resource r) {
        Double v = resources.get(r);
        return v == null ? Double.NaN : v;
    }

    /** The resources of one scrape. */
    public static Map<Resource, Double> read(PrometheusText scrape) {
        Map<Resource, Double> values = new EnumMap<>(Resource.class);
        for (Resource r : Resource.values()) {
            values.put(r, r.read(scrape));
        }
        return values;
    }
}
