package io.weightsync.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kills the embedded server a command under test started (SIGKILL), once {@code ready} says the
 * run is far enough along: the server dying mid-run, as the run sees it.
 */
public final class ServerKiller implements AutoCloseable {

    /** Whether the run has got far enough; polled every 50 ms. */
    @FunctionalInterface
    public interface Condition {
        boolean met() throws IOException;
    }

    private final Thread thread;
    private final AtomicLong killedAtNanos = new AtomicLong();

    private ServerKiller(Condition ready) {
        thread = new Thread(() -> {
            try {
                while (!ready.met()) {
                    Thread.sleep(50);
                }
                killedAtNanos.set(System.nanoTime());
                // the test JVM's only child is the embedded server (its command line is too long to match on)
                ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "server-killer");
        thread.setDaemon(true);
    }

    public static ServerKiller when(Condition ready) {
        ServerKiller killer = new ServerKiller(ready);
        killer.thread.start();
        return killer;
    }

    /** {@link System#nanoTime()} of the kill; 0 if it has not happened. */
    public long killedAtNanos() {
        return killedAtNanos.get();
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
