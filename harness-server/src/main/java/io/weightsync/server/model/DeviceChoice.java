package io.weightsync.server.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;

/**
 * {@code --device cpu|gpu}: where the model's tensors live. The code path is the same for both;
 * only the NDManager's device differs. A GPU needs PyTorch's CUDA natives (docs/GPU.md); this
 * build ships the CPU natives only, so {@code gpu} fails fast with the reason when DJL sees none.
 */
public final class DeviceChoice {

    private DeviceChoice() {}

    public static Device resolve(String choice) {
        switch (choice.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                int gpus = Engine.getEngine("PyTorch").getGpuCount();
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device gpu: DJL's PyTorch engine sees no CUDA device (it runs the "
                            + "CPU natives bundled in this build); see docs/GPU.md for a GPU host");
                }
                return Device.gpu();
            default:
                throw new IllegalArgumentException("--device must be cpu or gpu, got '" + choice + "'");
        }
    }
}
