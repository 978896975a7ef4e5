package io.weightsync.server.engine;

/** Engine internals that tests in other packages check: what is alive in native memory. */
public final class EngineProbe {

    private EngineProbe() {}

    /** NDArrays attached to the engine's root manager (weights, KV cache, rotary tables; no step temporaries). */
    public static int nativeArrays(Engine engine) {
        return engine.rootManager().getManagedArrays().size();
    }
}
