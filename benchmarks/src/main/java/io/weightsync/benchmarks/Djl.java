package io.weightsync.benchmarks;

/**
 * DJL's PyTorch engine, offline: the natives come from the Maven jar inside benchmarks.jar and
 * nothing is downloaded. Every benchmark that touches DJL calls {@link #pytorch()} in its setup,
 * before any JniUtils call (JniUtils needs the engine loaded first). The forks also get
 * {@code -Dai.djl.offline=true} from their {@code @Fork} arguments; this covers {@code -f 0}.
 */
final class Djl {

    /** JVM options for every fork that loads DJL. */
    static final String OFFLINE = "-Dai.djl.offline=true";

    private Djl() {}

    static ai.djl.engine.Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return ai.djl.engine.Engine.getEngine("PyTorch");
    }
}
