package io.weightsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadNiceTest {

    @Test
    void aThreadRaisesItsOwnNiceValueAndTheThreadsItStartsInheritIt() throws Exception {
        assumeTrue(Platform.isLinux(), "nice values are per thread on Linux only");
        int callerBefore = ThreadNice.currentThread().orElseThrow();
        int target = Math.min(ThreadNice.MAX, callerBefore + 3);
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            String refused = ThreadNice.raiseCurrentThread(target);
            int own = ThreadNice.currentThread().orElse(-1);
            CompletableFuture<Integer> child = new CompletableFuture<>();
            new Thread(() -> child.complete(ThreadNice.currentThread().orElse(-1))).start();
            seen.complete(new int[] {refused == null ? 1 : 0, own, child.join()});
        });
        t.start();
        int[] r = seen.get(10, TimeUnit.SECONDS);
        assertThat(r[0]).as("raised without refusal").isEqualTo(1);
        assertThat(r[1]).as("the thread's own value").isEqualTo(target);
        assertThat(r[2]).as("a thread it started").isEqualTo(target);
        assertThat(ThreadNice.currentThread().orElseThrow()).as("the caller is untouched").isEqualTo(callerBefore);
    }

    @Test
    void aLowerValueThanTheThreadHasIsLeftAlone() throws Exception {
        assumeTrue(Platform.isLinux(), "nice values are per thread on Linux only");
        CompletableFuture<Integer> after = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            ThreadNice.raiseCurrentThread(9);
            String refused = ThreadNice.raiseCurrentThread(4); // lowering would need privileges: not attempted
            after.complete(refused == null ? ThreadNice.currentThread().orElse(-1) : -2);
        });
        t.start();
        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(9);
    }

    @Test
    void valuesOutsideZeroToNineteenAreRefused() {
        assertThatThrownBy(() -> ThreadNice.raiseCurrentThread(20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0..19");
        assertThatThrownBy(() -> ThreadNice.raiseCurrentThread(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aThreadMovesItselfIntoTheIdleClassAndTheThreadsItStartsFollow() throws Exception {
        assumeTrue(Platform.isLinux(), "the idle scheduling class is Linux's");
        int callerBefore = ThreadNice.currentPolicy().orElseThrow();
        CompletableFuture<int[]> seen = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            int before = ThreadNice.currentPolicy().orElse(-1);
            String refused = ThreadNice.idleCurrentThread();
            int own = ThreadNice.currentPolicy().orElse(-1);
            CompletableFuture<Integer> child = new CompletableFuture<>();
            new Thread(() -> child.complete(ThreadNice.currentPolicy().orElse(-1))).start();
            seen.complete(new int[] {before, refused == null ? 1 : 0, own, child.join()});
        });
        t.start();
        int[] r = seen.get(10, TimeUnit.SECONDS);
        assertThat(r[0]).as("a new thread's class").isZero();
        assertThat(r[1]).as("moved without refusal").isEqualTo(1);
        assertThat(r[2]).as("the thread's own class").isEqualTo(ThreadNice.SCHED_IDLE);
        assertThat(r[3]).as("a thread it started").isEqualTo(ThreadNice.SCHED_IDLE);
        assertThat(ThreadNice.currentPolicy().orElseThrow()).as("the caller is untouched").isEqualTo(callerBefore);
    }

    @Test
    void theStatParserFindsFieldsAfterACommandNameWithSpacesAndParentheses(@TempDir Path dir) throws Exception {
        Path stat = dir.resolve("stat");
        // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice ... (field 41: policy)
        StringBuilder line = new StringBuilder("4242 (C2 Compiler) x)) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 35 15");
        for (int field = 20; field <= 40; field++) {
            line.append(' ').append(100 + field);
        }
        line.append(" 5 0 0\n");
        Files.writeString(stat, line);
        assertThat(ThreadNice.ofStat(stat, ThreadNice.NICE_FIELD)).isEqualTo(OptionalInt.of(15));
        assertThat(ThreadNice.ofStat(stat, 20)).isEqualTo(OptionalInt.of(120));
        assertThat(ThreadNice.ofStat(stat, ThreadNice.POLICY_FIELD)).isEqualTo(OptionalInt.of(ThreadNice.SCHED_IDLE));
        Files.writeString(stat, "garbage");
        assertThat(ThreadNice.ofStat(stat, ThreadNice.NICE_FIELD)).isEmpty();
        assertThat(ThreadNice.ofStat(dir.resolve("missing"), ThreadNice.NICE_FIELD)).isEmpty();
    }
}
