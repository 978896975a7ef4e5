package io.weightsync.server.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoUpdateStallTest {

    private static final long MS = 1_000_000;

    /** Step ends every 10 ms from 0, with the listed gaps (index of the end) stretched to 25 ms. */
    private static List<Long> ends(int count, int... stretched) {
        List<Long> ends = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < count; i++) {
            boolean longer = false;
            for (int s : stretched) {
                longer |= s == i;
            }
            t += longer ? 25 * MS : 10 * MS;
            ends.add(t);
        }
        return ends;
    }

    @Test
    void aLongGapAmongTheStepsJustBeforeTheUpdateCountsAsTheWindowsStall() {
        // 60 ends before the update (the last at 600 ms + 15), 5 after it: the window is the 5 gaps before
        List<Long> e = ends(65, 57);
        long begin = e.get(59) + 1;
        assertThat(EngineBenchmark.noUpdateStall(e, 0, begin)).isCloseTo(15.0, within(1e-9));
    }

    @Test
    void aLongGapOutsideTheWindowDoesNotCount() {
        List<Long> e = ends(65, 40);
        long begin = e.get(59) + 1;
        assertThat(EngineBenchmark.noUpdateStall(e, 0, begin)).isZero();
    }

    @Test
    void theWindowGrowsWithTheStepsTheUpdateSpanned() {
        List<Long> e = ends(80, 45);
        long begin = e.get(59) + 1;
        assertThat(EngineBenchmark.noUpdateStall(e.subList(0, 65), 0, begin)).as("5 steps spanned").isZero();
        assertThat(EngineBenchmark.noUpdateStall(e, 0, begin)).as("20 steps spanned").isCloseTo(15.0, within(1e-9));
    }

    @Test
    void onlyStepsAfterThePreviousUpdateAreUsed() {
        List<Long> e = ends(80, 45);
        long begin = e.get(59) + 1;
        assertThat(EngineBenchmark.noUpdateStall(e, 50, begin)).as("the long gap ended before end 50").isZero();
        assertThat(EngineBenchmark.noUpdateStall(e, 59, begin)).as("no gap to measure").isZero();
    }
}
