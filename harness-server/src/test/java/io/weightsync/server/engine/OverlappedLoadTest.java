package io.weightsync.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import io.weightsync.server.model.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who runs an overlapped load's pieces: the updater beside the engine, the engine when that falls behind. */
class OverlappedLoadTest {

    @TempDir
    Path dir;

    /** Pieces that record the thread each ran on, under their index. */
    private static List<Weights.Piece> recorded(int n, Map<Integer, String> ranOn) {
        List<Weights.Piece> pieces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int index = i;
            pieces.add(new Weights.Piece("piece " + i, 4, () -> ranOn.put(index, Thread.currentThread().getName())));
        }
        return pieces;
    }

    @Test
    void everyPieceRunsOnceAndWithoutTheUpdaterBesideAllRunBetweenSteps() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        try (Engine engine = f.engine(4, UpdateMode.OVERLAP)) {
            Map<Integer, String> ranOn = new ConcurrentHashMap<>();
            OverlappedLoad.run(engine, recorded(50, ranOn), 1_000_000, false);
            assertThat(ranOn).hasSize(50);
            assertThat(ranOn.values()).containsOnly("engine");
        }
    }

    @Test
    void aStalledUpdaterIsOvertakenByTheEngineBetweenSteps() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        try (Engine engine = f.engine(4, UpdateMode.OVERLAP)) {
            Map<Integer, String> ranOn = new ConcurrentHashMap<>();
            CountDownLatch engineWorked = new CountDownLatch(1);
            List<Weights.Piece> pieces = new ArrayList<>();
            // the caller takes piece 0 (before the engine is asked) and cannot finish it until the
            // engine has run one of the others
            pieces.add(new Weights.Piece("stuck", 4, () -> {
                ranOn.put(0, Thread.currentThread().getName());
                try {
                    assertThat(engineWorked.await(30, TimeUnit.SECONDS)).as("the engine took over").isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            for (int i = 1; i < 20; i++) {
                int index = i;
                pieces.add(new Weights.Piece("piece " + i, 4, () -> {
                    ranOn.put(index, Thread.currentThread().getName());
                    if (Thread.currentThread().getName().equals("engine")) {
                        engineWorked.countDown();
                    }
                }));
            }
            Thread caller = new Thread(() -> OverlappedLoad.run(engine, pieces, 1_000_000, true), "updater-like");
            caller.start();
            caller.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(caller.isAlive()).isFalse();
            assertThat(ranOn).hasSize(20);
            assertThat(ranOn.get(0)).isEqualTo("updater-like");
            assertThat(ranOn.values()).contains("engine");
        }
    }

    @Test
    void aPieceThatThrowsEndsTheLoadWithItsOwnException() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        try (Engine engine = f.engine(4, UpdateMode.OVERLAP)) {
            List<Weights.Piece> pieces = new ArrayList<>(recorded(10, new ConcurrentHashMap<>()));
            pieces.add(5, new Weights.Piece("bad", 4, () -> {
                throw new IllegalStateException("piece 5 failed");
            }));
            for (boolean beside : new boolean[] {false, true}) {
                assertThatThrownBy(() -> OverlappedLoad.run(engine, pieces, 1_000_000, beside))
                        .isInstanceOf(IllegalStateException.class).hasMessage("piece 5 failed");
            }
        }
    }

    @Test
    void aFailedLoadReturnsOnlyOnceThePieceRunningOnTheOtherThreadHasEnded() throws Exception {
        EngineFixture f = new EngineFixture(dir);
        try (Engine engine = f.engine(4, UpdateMode.OVERLAP)) {
            CountDownLatch secondStarted = new CountDownLatch(1);
            AtomicBoolean secondEnded = new AtomicBoolean();
            List<Weights.Piece> pieces = List.of(
                    // the caller takes this one (before the engine is asked) and fails once the engine runs the next
                    new Weights.Piece("fails", 4, () -> {
                        try {
                            secondStarted.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new IllegalStateException("first piece failed");
                    }),
                    new Weights.Piece("slow", 4, () -> {
                        secondStarted.countDown();
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        secondEnded.set(true);
                    }),
                    new Weights.Piece("never", 4, () -> {
                        throw new AssertionError("a piece started after the load failed");
                    }));
            assertThatThrownBy(() -> OverlappedLoad.run(engine, pieces, 1_000_000, true))
                    .isInstanceOf(IllegalStateException.class).hasMessage("first piece failed");
            assertThat(secondEnded).as("the engine's piece had ended when the load failed").isTrue();
        }
    }

    @Test
    void inOverlapModeTheUpdaterThreadRunsInTheIdleClass() throws Exception {
        assumeTrue(Platform.isLinux(), "the idle scheduling class is Linux's");
        EngineFixture f = new EngineFixture(dir);
        Path step1 = f.publish(1);
        for (UpdateMode mode : UpdateMode.values()) {
            try (Engine engine = f.engine(4, mode)) {
                CompletableFuture<Integer> policy = new CompletableFuture<>();
                engine.addListener(new EngineListener() {
                    @Override
                    public void onUpdate(UpdateResult result) { // on the updater thread
                        policy.complete(ThreadNice.currentPolicy().orElse(-1));
                    }
                });
                engine.updateWeights(step1).join();
                assertThat(policy.get(10, TimeUnit.SECONDS)).as(mode.name())
                        .isEqualTo(mode == UpdateMode.OVERLAP ? ThreadNice.SCHED_IDLE : 0);
            }
        }
    }
}
