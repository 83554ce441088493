package io.jiomap.device.memory;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.model.StoppableProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code memory} device type: {@code memory:size=8g,lbs=4096,vwc=on}. Found by {@link java.util.ServiceLoader}
 * (module descriptor and {@code META-INF/services}) and, in OSGi, registered by {@link MemoryDeviceActivator}.
 *
 * <p>It remembers the devices it opened until they close, so that stopping the bundle can close them: a device whose
 * bundle is gone must fail its in-flight I/O with ENODEV rather than leave it hanging on a thread that no longer
 * belongs to a live bundle.
 */
public final class MemoryDeviceProvider implements StoppableProvider {
    /** The type name on the command line and in the service property {@link #TYPE_PROPERTY}. */
    public static final String TYPE = "memory";

    private final Set<MemoryDevice> openDevices = ConcurrentHashMap.newKeySet();
    private boolean stopped;

    /** Public and without arguments, as {@link java.util.ServiceLoader} needs. */
    public MemoryDeviceProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "in-memory block device: sparse off-heap storage, optional volatile write cache, thread, submitter or"
                + " delayed completion";
    }

    @Override
    public Map<String, String> options() {
        return MemoryDeviceConfig.OPTION_HELP;
    }

    /**
     * Opens a device; the returned {@link MemoryDevice} also offers {@link MemoryDevice#powerCut()}.
     *
     * @throws JiomapException EINVAL for another type, an unknown option, a bad value or an impossible geometry,
     *                         naming the option; ENODEV after the provider was stopped
     */
    @Override
    public MemoryDevice open(DeviceSpec spec) throws JiomapException {
        if (!TYPE.equals(spec.type())) {
            throw new JiomapException(Errno.EINVAL, "device type '" + spec.type() + "' is not '" + TYPE + "'");
        }
        MemoryDeviceConfig config = MemoryDeviceConfig.parse(spec.options());
        synchronized (this) {
            if (stopped) {
                throw new JiomapException(Errno.ENODEV, "the memory device provider has been stopped");
            }
            MemoryDevice device = MemoryDevice.open(config, openDevices::remove);
            openDevices.add(device);
            return device;
        }
    }

    @Override
    public void closeAll() {
        List<MemoryDevice> devices;
        synchronized (this) {
            stopped = true;
            devices = List.copyOf(openDevices);
        }
        for (MemoryDevice device : devices) {
            device.close();
        }
    }

    /** The devices opened and not yet closed. */
    Set<MemoryDevice> openDevices() {
        return Set.copyOf(openDevices);
    }
}
