package io.jiomap.api.block;

import io.jiomap.api.JiomapException;
import java.util.Map;

/**
 * A device type, registered as an OSGi service (or found with {@link java.util.ServiceLoader} outside OSGi).
 * The service registration carries the property {@value #TYPE_PROPERTY} with {@link #type()}.
 */
public interface BlockDeviceProvider {
    /** Service property naming the device type. */
    String TYPE_PROPERTY = "jiomap.device.type";

    /** The type name used on the command line, e.g. {@code memory}. */
    String type();

    /** One line saying what the device models. */
    String description();

    /** Each option this type accepts, with a one-line explanation and its default. */
    Map<String, String> options();

    /**
     * Opens a device. Unknown options, bad values and impossible geometry are refused with EINVAL naming the option.
     */
    BlockDevice open(DeviceSpec spec) throws JiomapException;
}
