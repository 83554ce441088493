package io.jiomap.device.nbd;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.device.model.StoppableProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code nbd} device type: {@code nbd:uri=nbd://HOST[:PORT]/EXPORT} or
 * {@code nbd:uri=nbd+unix:///EXPORT?socket=PATH}. Found by {@link java.util.ServiceLoader} and, in OSGi, registered by
 * {@link NbdDeviceActivator}. It remembers the devices it opened until they close, so stopping the bundle closes
 * their connections and threads, and I/O in flight ends with ENODEV instead of hanging.
 */
public final class NbdDeviceProvider implements StoppableProvider {
    public static final String TYPE = "nbd";

    private final Set<NbdDevice> openDevices = ConcurrentHashMap.newKeySet();
    private boolean stopped;

    /** Public and without arguments, as {@link java.util.ServiceLoader} needs. */
    public NbdDeviceProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "a block device served by an NBD server (nbdkit, qemu-nbd, jiomap serve nbd) over TCP or a Unix"
                + " socket: fixed newstyle, structured replies, several connections where the server allows"
                + " multi-conn, FUA and flush as the server offers them";
    }

    @Override
    public Map<String, String> options() {
        return NbdConfig.OPTION_HELP;
    }

    /**
     * Connects to the export.
     *
     * @throws JiomapException EINVAL for another type or a bad option (naming it), the handshake's refusal, EIO when
     *                         the server cannot be reached; ENODEV after the provider was stopped
     */
    @Override
    public BlockDevice open(DeviceSpec spec) throws JiomapException {
        if (!TYPE.equals(spec.type())) {
            throw new JiomapException(Errno.EINVAL, "device type '" + spec.type() + "' is not '" + TYPE + "'");
        }
        NbdConfig config = NbdConfig.parse(spec.options());
        synchronized (this) {
            if (stopped) {
                throw new JiomapException(Errno.ENODEV, "the nbd device provider has been stopped");
            }
        }
        NbdDevice device = NbdDevice.open(config, openDevices::remove);
        synchronized (this) {
            if (!stopped) {
                openDevices.add(device);
                return device;
            }
        }
        device.close();
        throw new JiomapException(Errno.ENODEV, "the nbd device provider was stopped while connecting");
    }

    @Override
    public void closeAll() {
        List<NbdDevice> devices;
        synchronized (this) {
            stopped = true;
            devices = List.copyOf(openDevices);
        }
        for (NbdDevice device : devices) {
            device.close();
        }
    }

    int openCount() {
        return openDevices.size();
    }
}
