package io.weightsync.core.safetensors;

import java.io.IOException;

/**
 * A file that is not a valid safetensors checkpoint. The message is one line that names the file
 * and the defect, e.g. {@code step_12/model.safetensors: tensor 'lm_head.weight' data_offsets [64, 0) are reversed}.
 */
public class SafetensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(String file, String defect) {
        super(file + ": " + defect);
    }
}
