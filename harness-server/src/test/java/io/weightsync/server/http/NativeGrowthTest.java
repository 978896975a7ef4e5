package io.weightsync.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.jna.Native;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The native-memory gate of the leak tests sees a real malloc leak as its rate and is not moved by
 * a reading caught mid-spike, with memory allocated through libc's own malloc (JNA's
 * {@code Native.malloc}).
 */
class NativeGrowthTest {

    private static final long LEAK_BYTES_PER_ROUND = 4L << 20;

    @Test
    void aMallocLeakEveryRoundIsItsSlope() {
        List<Long> leaked = new ArrayList<>();
        try {
            NativeGrowth growth = new NativeGrowth();
            growth.read();
            for (int round = 0; round < 6; round++) {
                leaked.add(malloced(LEAK_BYTES_PER_ROUND));
                growth.read();
            }
            assertThat(growth.slopeKiBPerRound()).as(growth.toString())
                    .isCloseTo(LEAK_BYTES_PER_ROUND >> 10, within(512.0));
        } finally {
            leaked.forEach(Native::free);
        }
    }

    @Test
    void aSpikeInTheLastReadingAloneIsNotARate() {
        NativeGrowth growth = new NativeGrowth();
        for (int round = 0; round < 9; round++) {
            // something transient holds 32 MiB at the last reading: last minus first would read 4 MiB a round
            long held = round == 8 ? malloced(32L << 20) : 0;
            growth.read();
            if (held != 0) {
                Native.free(held);
            }
        }
        assertThat(growth.slopeKiBPerRound()).as(growth.toString()).isLessThan(512);
    }

    @Test
    void aSlopeNeedsThreeRoundsAfterTheBaseline() {
        NativeGrowth growth = new NativeGrowth();
        growth.read();
        growth.read();
        assertThatThrownBy(growth::slopeKiBPerRound).hasMessageContaining("at least 3 rounds");
    }

    /** malloc'd and never freed until the test ends (malloc in use counts it untouched). */
    private static long malloced(long bytes) {
        long address = Native.malloc(bytes);
        assertThat(address).as("malloc(%d)", bytes).isNotZero();
        return address;
    }
}
