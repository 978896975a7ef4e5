package io.weightsync.server.http;

import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds the next weight load at its start ({@link EngineListener#onLoadStart}): the checkpoint is
 * open, mapped and verified, and not one tensor byte has been read, on whichever thread the load
 * would read it. So a test can change a checkpoint file between the server's open and its reads
 * without racing anything; {@link #close()} lets the load go on.
 */
final class LoadGate implements EngineListener, AutoCloseable {

    private final Engine engine;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    private LoadGate(Engine engine) {
        this.engine = engine;
    }

    /** Arms the gate for the engine's next load. */
    static LoadGate arm(Engine engine) {
        LoadGate gate = new LoadGate(engine);
        engine.addListener(gate);
        return gate;
    }

    /** Returns once a load is held at its start. */
    void awaitHolding() throws InterruptedException {
        if (!holding.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no load started within 10 s: " + engine.stats());
        }
    }

    @Override
    public void onLoadStart(String weightDir) {
        if (holding.getCount() == 0) {
            return; // one load only
        }
        holding.countDown();
        try {
            // bounded, so a failed test cannot leave the updater stuck for the next one
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        engine.removeListener(this);
        released.countDown();
    }
}
