package io.weightsync.server.engine;

import ai.djl.Device;
import io.weightsync.server.model.TinyModel;
import io.weightsync.server.tokenizer.ByteTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** Engines over the tiny model in a temp checkpoint root, and new steps to update them to. */
final class EngineFixture {

    final Path root;
    final Path step0;

    EngineFixture(Path root) throws IOException {
        this.root = root;
        this.step0 = TinyModel.ensure(root);
    }

    Engine engine(int maxBatch, UpdateMode mode) throws IOException {
        return engine(step0, maxBatch, mode);
    }

    Engine engine(Path modelDir, int maxBatch, UpdateMode mode) throws IOException {
        return new Engine(modelDir, new ByteTokenizer(TinyModel.BOS), new EngineConfig(maxBatch, 256, mode, 2048),
                Device.cpu());
    }

    /** Publishes step {@code step}: another seeded random tiny model, so outputs really change. */
    Path publish(long step) throws IOException {
        return TinyModel.publishStep(root, TinyModel.config(), step, 1000 + step);
    }

    static int[] prompt(String text) {
        return new ByteTokenizer(TinyModel.BOS).encode(text);
    }

    static CollectingSink run(Engine engine, String prompt, SamplingParams params) throws Exception {
        CollectingSink sink = new CollectingSink();
        engine.submit(new GenerationRequest("r-" + System.nanoTime(), prompt(prompt), params, sink));
        sink.await();
        return sink;
    }
}
