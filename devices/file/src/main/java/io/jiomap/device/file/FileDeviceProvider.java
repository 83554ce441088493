package io.jiomap.device.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code file} device type: {@code file:path=/var/tmp/disk.img,size=1g,engine=auto}. Found by
 * {@link java.util.ServiceLoader} and, in OSGi, registered by {@link FileDeviceActivator}.
 *
 * <p>It remembers the devices it opened until they close, so stopping the bundle closes them: their threads belong
 * to this bundle, and I/O still queued must end with ENODEV rather than hang.
 */
public final class FileDeviceProvider implements BlockDeviceProvider {
    public static final String TYPE = "file";

    private final Set<FileDevice> openDevices = ConcurrentHashMap.newKeySet();
    private boolean stopped;

    /** Public and without arguments, as {@link java.util.ServiceLoader} needs. */
    public FileDeviceProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Says which engine {@code engine=auto} would use on this machine, and why. */
    @Override
    public String description() {
        return "a real file or block device with O_DIRECT, through io_uring (FFM) or a FileChannel thread pool; "
                + IoUringSupport.probe();
    }

    @Override
    public Map<String, String> options() {
        return FileDeviceConfig.OPTION_HELP;
    }

    /**
     * Opens a device.
     *
     * @throws JiomapException EINVAL for another type, an unknown option or a bad value (naming it), ENOENT for a
     *                         missing file without {@code size}, the errno of a failed open or setup; ENODEV after
     *                         the provider was stopped
     */
    @Override
    public FileDevice open(DeviceSpec spec) throws JiomapException {
        if (!TYPE.equals(spec.type())) {
            throw new JiomapException(Errno.EINVAL, "device type '" + spec.type() + "' is not '" + TYPE + "'");
        }
        FileDeviceConfig config = FileDeviceConfig.parse(spec.options());
        synchronized (this) {
            if (stopped) {
                throw new JiomapException(Errno.ENODEV, "the file device provider has been stopped");
            }
            FileDevice device = FileDevice.open(config, openDevices::remove);
            openDevices.add(device);
            return device;
        }
    }

    /** Refuses later opens and closes every device this provider opened that is still open. */
    void closeAll() {
        List<FileDevice> devices;
        synchronized (this) {
            stopped = true;
            devices = List.copyOf(openDevices);
        }
        for (FileDevice device : devices) {
            device.close();
        }
    }

    Set<FileDevice> openDevices() {
        return Set.copyOf(openDevices);
    }
}
