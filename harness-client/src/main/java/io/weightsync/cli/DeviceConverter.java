package io.weightsync.cli;

import ai.djl.Device;
import io.weightsync.server.model.DeviceChoice;
import picocli.CommandLine;

/** {@code --device cpu|gpu} for every command that runs the model; a bad or unavailable device is a usage error. */
public final class DeviceConverter implements CommandLine.ITypeConverter<Device> {

    @Override
    public Device convert(String value) {
        try {
            return DeviceChoice.resolve(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
