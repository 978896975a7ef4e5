package io.weightsync.server.model;

import java.io.IOException;

/** A checkpoint whose tensors do not fit the live model: the update is refused, nothing changes. */
public class WeightMismatchException extends IOException {

    private static final long serialVersionUID = 1L;

    public WeightMismatchException(String message) {
        super(message);
    }
}
