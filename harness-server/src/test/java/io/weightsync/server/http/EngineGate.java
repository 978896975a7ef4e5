package io.weightsync.server.http;

import io.weightsync.server.engine.Engine;
import io.weightsync.server.engine.EngineListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a busy engine's thread at the end of its next decode step until {@link #close()}: while it
 * is held, nothing the engine thread runs between steps can happen. In overlap mode that includes
 * every unit of a weight load, so a test can change a checkpoint file after the updater has opened
 * and mapped it but before a single tensor byte is read, without racing anything.
 */
final class EngineGate implements EngineListener, AutoCloseable {

    private final Engine engine;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    private EngineGate(Engine engine) {
        this.engine = engine;
    }

    /** Returns once the engine thread is held; the engine must be decoding (streams running). */
    static EngineGate hold(Engine engine) throws InterruptedException {
        EngineGate gate = new EngineGate(engine);
        engine.addListener(gate);
        if (!gate.holding.await(10, TimeUnit.SECONDS)) {
            gate.close();
            throw new AssertionError("the engine did not finish a step within 10 s: " + engine.stats());
        }
        return gate;
    }

    @Override
    public void onStep(int batch, long stepNanos) {
        holding.countDown();
        try {
            // bounded, so a failed test cannot leave the engine stuck for the next one
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
