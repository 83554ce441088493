package io.jiomap.cli.shell;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.format.FormatPolicy;
import io.jiomap.cli.format.Formatter;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.cli.plugin.Storage;
import io.jiomap.core.Mount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The named mounts of a shell session, kept between commands, and what happens to them when a plugin they use goes
 * away (docs/design-rules.md, "Rule 3": a service is let go when it unregisters, and nothing is left hanging on a
 * departed bundle).
 *
 * <p>When a device type is withdrawn, each mount on one of its devices is unmounted while the device still works (the
 * withdrawal is announced before the bundle closes its devices): new I/O fails with ESHUTDOWN, I/O in flight drains,
 * the filesystem persists, then the device is closed. When a filesystem type is withdrawn, each mount of it is
 * unmounted the same way and its device stays open. Either way the mount stays listed as down, saying why, until
 * {@link #remount} brings it back on the successor services or {@link #umount} forgets it. An unmount that fails
 * (the device failed first) marks the mount down with that error; nothing waits for a device that is gone.
 *
 * <p>All methods are safe from any thread: the shell's commands and the framework's event thread both call them.
 */
public final class LiveMounts implements AutoCloseable {
    /** One line of {@link #list()}. */
    public record Row(String name, boolean mounted, String deviceSpec, String deviceName, String fsSpec,
                      int workqueueWorkers, String downReason) {
    }

    private final Plugins plugins;
    private final Map<String, LiveMount> mounts = new TreeMap<>();

    public LiveMounts(Plugins plugins) {
        this.plugins = plugins;
    }

    /**
     * Opens a device, makes it ready as {@code policy} says (by default a blank device gets a fresh filesystem and
     * one holding the filesystem is mounted as it is), and mounts it under {@code name}.
     *
     * @param notes told, one line each, when an existing filesystem is mounted as it is or signatures were wiped
     * @throws JiomapException EEXIST for a name in use or a device holding something the policy does not format
     *                         over; ENODEV for an unknown type; what the plugins refuse
     * @throws IllegalArgumentException a spec that cannot be parsed
     */
    public synchronized void mount(String name, String deviceSpecText, String fsSpecText, int workqueueWorkers,
                                   FormatPolicy policy, Consumer<String> notes) throws JiomapException {
        if (mounts.containsKey(name)) {
            throw new JiomapException(Errno.EEXIST, "a mount named '" + name + "' exists (" + describe(mounts.get(name))
                    + "); jiomap:umount " + name + " first, or choose another name");
        }
        if (workqueueWorkers < 1) {
            throw new IllegalArgumentException("the completion workqueue needs at least 1 worker, got "
                    + workqueueWorkers);
        }
        LiveMount m = new LiveMount(name, parse("device", deviceSpecText), parse("filesystem", fsSpecText),
                workqueueWorkers);
        openDevice(m);
        try {
            m.type = plugins.fileSystemType(m.fsSpec.type());
            Formatter.prepare(policy, m.type, m.fsSpec.options(), m.device, m.deviceSpec.toString(),
                    plugins.fileSystemTypes(), notes);
            attach(m);
        } catch (JiomapException | RuntimeException e) {
            m.device.close();
            throw e;
        }
        mounts.put(name, m);
    }

    /** Unmounts (draining and persisting) and closes the device; the name is free again. A down mount is forgotten. */
    public synchronized void umount(String name) throws JiomapException {
        LiveMount m = existing(name);
        mounts.remove(name);
        try {
            detach(m);
        } finally {
            closeDevice(m);
        }
    }

    /**
     * Mounts a down mount again, with the services now registered for its device and filesystem types: the device
     * is reopened from its spec if its plugin went away (a device backed by an image file sees its data again), else
     * the open device is mounted with the filesystem's successor.
     *
     * @throws JiomapException EBUSY when it is mounted; ENODEV when a type has no service now
     */
    public synchronized void remount(String name) throws JiomapException {
        LiveMount m = existing(name);
        if (m.mounted()) {
            throw new JiomapException(Errno.EBUSY, "'" + name + "' is mounted (" + describe(m) + ")");
        }
        boolean opened = false;
        try {
            if (m.device == null || m.device.isClosed()) {
                m.device = null;
                openDevice(m);
                opened = true;
            }
            m.type = plugins.fileSystemType(m.fsSpec.type());
            attach(m);
        } catch (JiomapException | RuntimeException e) {
            if (opened) {
                closeDevice(m);
            }
            m.downReason = "remount failed: " + e.getMessage() + "; jiomap:umount " + name + " forgets it";
            throw e;
        }
        m.downReason = null;
    }

    /** Every mount, by name. */
    public synchronized List<Row> list() {
        List<Row> rows = new ArrayList<>();
        for (LiveMount m : mounts.values()) {
            rows.add(new Row(m.name, m.mounted(), m.deviceSpec.toString(),
                    m.device == null ? "-" : m.device.name(), m.fsSpec.toString(),
                    m.mounted() ? m.mount.workqueueWorkers() : m.workqueueWorkers, m.downReason));
        }
        return rows;
    }

    /** The completion counters of a mounted mount since it was (re)mounted. */
    public synchronized DioCounters counters(String name) throws JiomapException {
        return mounted(name).counters();
    }

    /**
     * The engine's mount behind {@code name}, for running I/O on it. Use it only while the mount stays up: a
     * withdrawal unmounts it under the caller, whose I/O then fails with ESHUTDOWN.
     *
     * @throws JiomapException ENOENT for an unknown name; ENODEV (with the reason) for a down mount
     */
    public synchronized Mount mounted(String name) throws JiomapException {
        LiveMount m = existing(name);
        if (!m.mounted()) {
            throw new JiomapException(Errno.ENODEV, "'" + name + "' is down: " + m.downReason);
        }
        return m.mount;
    }

    /**
     * The storage behind {@code name} for running jobs on it (fio); the caller must not close it: the mount stays
     * the shell's. Same conditions as {@link #mounted}.
     */
    public synchronized Storage storage(String name) throws JiomapException {
        Mount mount = mounted(name);
        LiveMount m = existing(name);
        return new Storage(m.deviceSpec, m.fsSpec, mount.device(), mount);
    }

    /**
     * A device type is being withdrawn ({@code provider} is the departing service object): every mount on one of its
     * devices is unmounted and its device closed, and the mount is marked down.
     *
     * @param why who withdrew it, for the message, e.g. "bundle io.jiomap.device.nvme-like 0.1.0 stopping"
     */
    public synchronized void deviceProviderWithdrawn(Object provider, String why) {
        for (LiveMount m : mounts.values()) {
            if (m.provider == provider) {
                String unmounted = m.mounted() ? unmountFor(m) : "not mounted";
                closeDevice(m);
                m.provider = null;
                m.downReason = "device type '" + m.deviceSpec.type() + "' withdrawn (" + why + "): " + unmounted
                        + ", device closed; jiomap:remount " + m.name + " reopens " + m.deviceSpec
                        + " on its successor" + (m.deviceSpec.options().containsKey("path") ? ""
                        : " (no path=: if the device kept its data in memory, the data went with it and the"
                        + " successor starts blank)");
            }
        }
    }

    /**
     * A filesystem type is being withdrawn ({@code type} is the departing service object): every mount of it is
     * unmounted and marked down; its device stays open for a remount.
     */
    public synchronized void fileSystemTypeWithdrawn(Object type, String why) {
        for (LiveMount m : mounts.values()) {
            if (m.type == type) {
                String unmounted = m.mounted() ? unmountFor(m) : "not mounted";
                m.type = null;
                m.downReason = "filesystem type '" + m.fsSpec.type() + "' withdrawn (" + why + "): " + unmounted
                        + ", device kept open; jiomap:remount " + m.name + " mounts it with the type's successor";
            }
        }
    }

    /** Unmounts everything and closes the devices: the shell session (the cli bundle) is ending. */
    @Override
    public synchronized void close() {
        for (LiveMount m : mounts.values()) {
            if (m.mounted()) {
                unmountFor(m);
            }
            closeDevice(m);
        }
        mounts.clear();
    }

    private String unmountFor(LiveMount m) {
        try {
            detach(m);
            return "unmounted cleanly (I/O in flight drained)";
        } catch (JiomapException | RuntimeException e) {
            return "the unmount failed: " + e.getMessage();
        }
    }

    private void openDevice(LiveMount m) throws JiomapException {
        BlockDeviceProvider p = plugins.deviceProvider(m.deviceSpec.type());
        m.device = p.open(m.deviceSpec);
        m.provider = p;
    }

    private void attach(LiveMount m) throws JiomapException {
        m.mount = Mount.mount(m.type, m.device, new Mount.Options(m.workqueueWorkers, m.fsSpec.options()));
    }

    /** Unmounts; the mount is down afterwards even if the unmount failed, since its filesystem refuses new I/O. */
    private static void detach(LiveMount m) throws JiomapException {
        Mount mount = m.mount;
        m.mount = null;
        if (mount != null) {
            mount.close();
        }
    }

    private static void closeDevice(LiveMount m) {
        if (m.device != null) {
            m.device.close();
        }
    }

    private LiveMount existing(String name) throws JiomapException {
        LiveMount m = mounts.get(name);
        if (m == null) {
            throw new JiomapException(Errno.ENOENT, "no mount named '" + name + "'"
                    + (mounts.isEmpty() ? " (there are none)" : "; mounts: " + String.join(", ", mounts.keySet())));
        }
        return m;
    }

    private static String describe(LiveMount m) {
        return m.fsSpec + " on " + m.deviceSpec + (m.mounted() ? "" : ", down");
    }

    private static DeviceSpec parse(String what, String text) {
        try {
            return DeviceSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " spec '" + text + "': " + e.getMessage(), e);
        }
    }
}
