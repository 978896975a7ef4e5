package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.jna.Native;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The native-memory gate of the leak tests: its slope is a leak's rate and ignores readings caught
 * mid-spike, and its reading counts what libc's own malloc (JNA's {@code Native.malloc}) hands out.
 */
class NativeGrowthTest {

    @Test
    void aSteadyLeakReadsAsItsRateThroughTheNoise() {
        long[] kib = {100_000, 104_300, 107_900, 112_200, 116_000, 119_800, 124_100, 128_000}; // ~4 MiB a round
        assertThat(NativeGrowth.theilSenSlope(kib)).isCloseTo(4000, within(200.0));
    }

    @Test
    void readingsCaughtMidSpikeAtEitherEndAreNotARate() {
        // flat at 100 MiB, a transient 32 MiB held at the first and at the last reading:
        // last minus first reads 0 by luck here, and 4 MiB a round with the last spike alone
        long[] bothEnds = {132_000, 100_000, 101_000, 99_000, 100_000, 100_500, 99_500, 100_000, 132_000};
        long[] lastOnly = {100_000, 100_000, 101_000, 99_000, 100_000, 100_500, 99_500, 100_000, 132_000};
        assertThat(NativeGrowth.theilSenSlope(bothEnds)).isLessThan(512);
        assertThat(NativeGrowth.theilSenSlope(lastOnly)).isLessThan(512);
    }

    /**
     * Real memory, in a JVM where earlier tests' threads may still free and allocate tens of MiB
     * between two readings: the leak is made large enough (64 MiB a round) that such noise stays
     * well inside the tolerance.
     */
    @Test
    void mallocInUseCountsWhatMallocHandsOut() {
        long leakBytesPerRound = 64L << 20;
        List<Long> leaked = new ArrayList<>();
        try {
            NativeGrowth growth = new NativeGrowth();
            growth.read();
            for (int round = 0; round < 8; round++) {
                long address = Native.malloc(leakBytesPerRound);
                assertThat(address).as("malloc").isNotZero();
                leaked.add(address);
                growth.read();
            }
            assertThat(growth.slopeKiBPerRound()).as(growth.toString())
                    .isCloseTo(leakBytesPerRound >> 10, within((leakBytesPerRound >> 10) * 0.25));
        } finally {
            leaked.forEach(Native::free);
        }
    }

    @Test
    void aSlopeNeedsThreeRoundsAfterTheBaseline() {
        NativeGrowth growth = new NativeGrowth();
        growth.read();
        growth.read();
        assertThatThrownBy(growth::slopeKiBPerRound).hasMessageContaining("at least 3 rounds");
    }
}
