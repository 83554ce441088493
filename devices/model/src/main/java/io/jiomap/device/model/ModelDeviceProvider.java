package io.jiomap.device.model;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A device type built from a {@link DeviceProfile}. It remembers the devices it opened until they close, so that
 * stopping the bundle can close them: a device whose bundle is gone must fail its in-flight I/O with ENODEV rather
 * than leave it hanging on a thread of a bundle that no longer runs (docs/design-rules.md, "Rule 3").
 */
public abstract class ModelDeviceProvider implements StoppableProvider {
    private final DeviceProfile profile;
    private final Map<String, String> options;
    private final Set<ModelDevice> openDevices = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextNumber = new AtomicInteger();
    private boolean stopped;

    protected ModelDeviceProvider(DeviceProfile profile) {
        this.profile = profile;
        this.options = DeviceConfig.optionHelp(profile);
    }

    @Override
    public final String type() {
        return profile.type();
    }

    @Override
    public final Map<String, String> options() {
        return options;
    }

    /**
     * Opens a device; it also offers {@link ModelDevice#powerCut()}.
     *
     * @throws JiomapException EINVAL for another type, an unknown option, a bad value, naming the option; EIO when the
     *                         image file cannot be opened; ENODEV after the provider was stopped
     */
    @Override
    public final ModelDevice open(DeviceSpec spec) throws JiomapException {
        if (!profile.type().equals(spec.type())) {
            throw new JiomapException(Errno.EINVAL, "device type '" + spec.type() + "' is not '" + profile.type()
                    + "'");
        }
        DeviceConfig config = DeviceConfig.parse(profile, spec.options());
        synchronized (this) {
            if (stopped) {
                throw new JiomapException(Errno.ENODEV, "the " + profile.type() + " device provider has been stopped");
            }
            Backing backing = ModelDevice.openBacking(config);
            ModelDevice device = ModelDevice.open(profile.namePrefix() + nextNumber.getAndIncrement(), config,
                    backing, openDevices::remove);
            openDevices.add(device);
            return device;
        }
    }

    @Override
    public final void closeAll() {
        List<ModelDevice> devices;
        synchronized (this) {
            stopped = true;
            devices = List.copyOf(openDevices);
        }
        for (ModelDevice device : devices) {
            device.close();
        }
    }

    /** The devices opened and not yet closed. */
    public final Set<ModelDevice> openDevices() {
        return Set.copyOf(openDevices);
    }
}
