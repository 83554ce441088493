package io.jiomap.testkit;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.SimulatesPowerLoss;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.device.toolkit.crash.CrashState;
import io.jiomap.device.toolkit.crash.CrashStateGenerator;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.device.toolkit.crash.Snapshot;
import io.jiomap.device.toolkit.fault.FaultRules;
import io.jiomap.device.toolkit.fault.FaultyDevice;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * One (filesystem, device) pair of a {@link JiomapTest} invocation: a fresh device, a filesystem made on it and
 * mounted, and the decorators a test reaches for in a line: faults ({@link #failNthWrite}, {@link #injectFaults}),
 * a power cut ({@link #powerCut}, then {@link #remount}), and crash states ({@link #startRecording}, then
 * {@link #checkCrashStates}).
 *
 * <p>The stack, top down: the mount, the block layer of the core, a {@link FaultyDevice} (no rules until a test sets
 * some), a {@link RecordingDevice} once recording started, and the device the provider opened.
 */
public final class JiomapRig implements AutoCloseable {
    /** The seed crash states are drawn with unless a test gives one. */
    public static final long DEFAULT_SEED = 42;

    private final String name;
    private final FileSystemType type;
    private final Map<String, String> mkfsOptions;
    private final Map<String, String> mountOptions;
    private final FreshDevices devices;
    private final BlockDevice device;
    private final List<BlockDevice> opened = new ArrayList<>();
    private final Arena arena = Arena.ofShared();
    private FaultyDevice faults;
    private RecordingDevice recorder;
    private Snapshot recordedFrom;
    private Mount mount;
    private boolean poweredOff;
    private boolean closed;

    private JiomapRig(String name, FileSystemType type, Map<String, String> mkfsOptions,
                      Map<String, String> mountOptions, FreshDevices devices) throws JiomapException {
        this.name = name;
        this.type = type;
        this.mkfsOptions = Map.copyOf(mkfsOptions);
        this.mountOptions = Map.copyOf(mountOptions);
        this.devices = devices;
        this.device = freshDevice();
        this.faults = new FaultyDevice(device);
    }

    /**
     * Opens a fresh device, makes the filesystem on it and mounts it.
     *
     * @param devices where the device comes from; closed with the rig
     */
    public static JiomapRig start(FileSystemType type, Map<String, String> mkfsOptions,
                                  Map<String, String> mountOptions, FreshDevices devices) throws JiomapException {
        JiomapRig rig = new JiomapRig(type.name() + " on " + devices.provider().type(), type, mkfsOptions,
                mountOptions, devices);
        try {
            Mount.mkfs(type, rig.faults, rig.mkfsOptions);
            rig.mountAgain();
            return rig;
        } catch (JiomapException | RuntimeException e) {
            rig.close();
            throw e;
        }
    }

    /** {@code "raw on memory"}. */
    public String name() {
        return name;
    }

    public FileSystemType type() {
        return type;
    }

    public BlockDeviceProvider provider() {
        return devices.provider();
    }

    /** The device as its provider opened it, under every decorator. */
    public BlockDevice device() {
        return device;
    }

    /** The fault decorator the filesystem writes through: its rules, counters, {@code disappear()}. */
    public FaultyDevice faults() {
        return faults;
    }

    public Map<String, String> mkfsOptions() {
        return mkfsOptions;
    }

    public Map<String, String> mountOptions() {
        return mountOptions;
    }

    /** The current mount. @throws IllegalStateException after {@link #powerCut()} until {@link #remount()} */
    public Mount mount() {
        if (mount == null) {
            throw new IllegalStateException(name + ": not mounted (after unmount() or powerCut()); remount() to"
                    + " mount again");
        }
        return mount;
    }

    public FileSystem fileSystem() {
        return mount().fileSystem();
    }

    /** Opens {@code path} on the current mount, creating it if needed. */
    public OpenFile file(String path) throws JiomapException {
        return file(path, 0);
    }

    /** Opens {@code path} with {@link OpenFile} flags ({@code DSYNC}, {@code SYNC}), creating it if needed. */
    public OpenFile file(String path, int openFlags) throws JiomapException {
        return mount().open(path, openFlags | OpenFile.CREATE);
    }

    /**
     * A zeroed buffer for direct I/O: 4 KiB aligned, usable from device threads, freed when the rig closes.
     */
    public MemorySegment buffer(long bytes) {
        return arena.allocate(bytes, 4096);
    }

    /** A fresh device of the same type and options, closed with the rig (e.g. for a crash harness). */
    public BlockDevice freshDevice() throws JiomapException {
        BlockDevice d = devices.open();
        synchronized (opened) {
            opened.add(d);
        }
        return d;
    }

    // ---- faults ----

    /** The {@code n}th write bio from now on fails with EIO (counting restarts with every rule change). */
    public JiomapRig failNthWrite(long n) {
        return injectFaults(FaultRules.builder().onWrites().nth(n).fail(Errno.EIO).build());
    }

    /** Replaces the fault rules between the filesystem and the device ({@code FaultRules.none()} clears them). */
    public JiomapRig injectFaults(FaultRules rules) {
        faults.setRules(rules);
        return this;
    }

    // ---- power ----

    // tag::rig-power-cut[]
    /**
     * Cuts the power: the device loses everything no flush or FUA made durable (writes in its volatile cache and in
     * flight), and the machine stops: the mount is dropped without any write reaching the device, as if the
     * filesystem never got to unmount. {@link #remount()} then mounts what survived, running recovery. Fault rules
     * are cleared. Skips the test on a device that cannot simulate a power cut.
     */
    public void powerCut() {
        Assumptions.assumeTrue(device instanceof SimulatesPowerLoss, () -> name + ": device type "
                + provider().type() + " does not implement SimulatesPowerLoss, so it cannot lose power");
        faults.setRules(FaultRules.builder().onAny().fail(Errno.EIO).build());
        ((SimulatesPowerLoss) device).powerCut();
        Mount dead = mount;
        mount = null;
        poweredOff = true;
        if (dead != null) {
            try {
                dead.close();
            } catch (JiomapException expected) {
                // The unmount of a machine without power fails: nothing it writes reaches the device.
            }
        }
    }
    // end::rig-power-cut[]

    /**
     * Unmounts cleanly and leaves the device to the test (e.g. to mount it another way); {@link #remount()} mounts
     * it again.
     */
    public void unmount() throws JiomapException {
        unmountCleanly();
    }

    /** Unmounts cleanly (after a power cut: only powers on) and mounts again with the same options. */
    public Mount remount() throws JiomapException {
        return remount(mountOptions);
    }

    /** Unmounts cleanly (after a power cut: only powers on) and mounts again with {@code options}. */
    public Mount remount(Map<String, String> options) throws JiomapException {
        unmountCleanly();
        if (poweredOff) {
            faults.setRules(FaultRules.none());
            poweredOff = false;
        }
        return mountAgain(options);
    }

    private Mount mountAgain() throws JiomapException {
        return mountAgain(mountOptions);
    }

    private Mount mountAgain(Map<String, String> options) throws JiomapException {
        mount = Mount.mount(type, faults, Mount.Options.defaults().withFsOptions(options));
        return mount;
    }

    private void unmountCleanly() throws JiomapException {
        Mount m = mount;
        mount = null;
        if (m != null) {
            m.close();
        }
    }

    // ---- crash states ----

    /**
     * Unmounts cleanly, takes the device's content as the image crash states start from, puts a recorder under the
     * filesystem and mounts again: every write and flush from here on is recorded, for {@link #checkCrashStates}.
     */
    public Mount startRecording() throws JiomapException {
        unmountCleanly();
        recordedFrom = Snapshot.of(device);
        recorder = new RecordingDevice(device);
        // The old fault decorator stays open (closing it would close the device); the rig closes it at the end.
        opened.add(faults);
        faults = new FaultyDevice(recorder);
        return mountAgain();
    }

    /** The crash states of what was recorded so far, in {@code mode}, drawn with {@link #DEFAULT_SEED}. */
    public List<CrashState> crashStates(Mode mode) {
        return crashStates(mode, DEFAULT_SEED);
    }

    public List<CrashState> crashStates(Mode mode, long seed) {
        if (recorder == null) {
            throw new IllegalStateException(name + ": startRecording() before the workload, then check crash states");
        }
        return CrashStateGenerator.of(recorder.recording(), recordedFrom).seed(seed).states(mode);
    }

    /** What a test checks in each crash state, with the state's filesystem mounted (recovery ran). */
    @FunctionalInterface
    public interface CrashCheck {
        void check(CrashState state, Mount mounted) throws Exception;
    }

    // tag::rig-crash-states[]
    /**
     * Checks every crash state of what was recorded so far in {@code mode}: mounts the state (recovery runs),
     * calls {@code check}, unmounts, and requires a clean fsck of the type. Fails listing every state that failed.
     *
     * @return how many states were checked
     */
    public int checkCrashStates(Mode mode, CrashCheck check) {
        List<CrashState> states = crashStates(mode);
        AssertionError failed = null;
        int failures = 0;
        for (CrashState state : states) {
            try (BlockDevice d = state.open()) {
                Mount m = Mount.mount(type, d, Mount.Options.defaults().withFsOptions(mountOptions));
                try {
                    check.check(state, m);
                } finally {
                    m.close();
                }
                FsckReport fsck = type.fsck(d, Map.of());
                if (!fsck.clean()) {
                    throw new AssertionError("fsck after recovery: " + fsck.problems());
                }
            } catch (Exception | AssertionError e) {
                failures++;
                AssertionError one = new AssertionError(name + ", crash state " + state.description() + ": "
                        + e.getMessage(), e);
                if (failed == null) {
                    failed = one;
                } else {
                    failed.addSuppressed(one);
                }
            }
        }
        if (failed != null) {
            throw new AssertionError(failures + " of " + states.size() + " " + mode + " crash states failed; first: "
                    + failed.getMessage(), failed);
        }
        return states.size();
    }
    // end::rig-crash-states[]

    /** Unmounts (a failure to is reported after everything was closed), closes every device and frees buffers. */
    @Override
    public void close() throws JiomapException {
        if (closed) {
            return;
        }
        closed = true;
        JiomapException unmount = null;
        try {
            if (!poweredOff) {
                unmountCleanly();
            }
        } catch (JiomapException e) {
            unmount = e;
        }
        faults.close();
        List<BlockDevice> all;
        synchronized (opened) {
            all = List.copyOf(opened);
        }
        for (BlockDevice d : all.reversed()) {
            d.close();
        }
        arena.close();
        devices.close();
        if (unmount != null) {
            throw unmount;
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
