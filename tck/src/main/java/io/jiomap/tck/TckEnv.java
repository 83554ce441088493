package io.jiomap.tck;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.tck.observe.BioRecord;
import io.jiomap.tck.observe.CompletionLog;
import io.jiomap.tck.observe.DioCallLog;
import io.jiomap.tck.observe.FsyncCall;
import io.jiomap.tck.observe.ObservedFileSystemType;
import io.jiomap.tck.observe.TappedDevice;
import io.jiomap.tck.observe.TraceLog;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One mounted filesystem under test with the file a contract test works on, and everything the test observes it
 * through: the {@link TappedDevice} under the block layer, the filesystem callbacks ({@link DioCallLog}), the
 * engine's trace points ({@link TraceLog}) and the mount's counters, all counted from the moment the file was
 * arranged ({@link #resetObservations()}).
 */
public final class TckEnv implements AutoCloseable {
    /** Ring entries for the rings tests create. */
    private static final int RING_ENTRIES = 32;

    private final TckFixture fixture;
    private final DeviceSetup setup;
    private final FileLayout layout;
    private final BlockDevice device;
    private final TappedDevice tap;
    private final DioCallLog calls = new DioCallLog();
    private final TraceLog trace = new TraceLog();
    private final Mount mount;
    private final OpenFile file;
    private final Arena arena = Arena.ofShared();
    private final List<IoRing> rings = new ArrayList<>();
    private DioCounters baseline = DioCounters.ZERO;
    private boolean closed;

    TckEnv(TckFixture fixture, DeviceSetup setup, FileLayout layout, BlockDevice device) throws JiomapException {
        this.fixture = fixture;
        this.setup = setup;
        this.layout = layout;
        this.device = device;
        this.tap = new TappedDevice(device);
        FileSystemUnderTest fs = fixture.fileSystem();
        ObservedFileSystemType type = new ObservedFileSystemType(fs.type(), calls);
        Mount.mkfs(type, tap, fs.mkfsOptions());
        this.mount = Mount.mount(type, tap, Mount.Options.defaults().withFsOptions(fs.mountOptions()));
        mount.setTrace(trace);
        try {
            this.file = fs.openFile(mount, layout);
            long size = file.size();
            if (layout.isExactSize() ? size != layout.size() : size < layout.size()) {
                throw new AssertionError(fixture.name() + " opened a file of " + size + " bytes for " + layout);
            }
            if (device instanceof ArrangedFileListener listener) {
                listener.fileArranged(layout);
            }
            if (layout.endIoErrno() != 0 && !fs.features().contains(FsFeature.END_IO_FAILURE)) {
                type.failEndIo(file.inode().ino(), layout.endIoErrno());
            }
        } catch (JiomapException | RuntimeException | Error e) {
            mount.close();
            arena.close();
            throw e;
        }
        resetObservations();
    }

    public TckFixture fixture() {
        return fixture;
    }

    public DeviceSetup setup() {
        return setup;
    }

    public FileLayout layout() {
        return layout;
    }

    public boolean has(FsFeature feature) {
        return fixture.has(feature);
    }

    /** The device under test itself (not the tap). */
    public BlockDevice device() {
        return device;
    }

    /** The tap between the block layer and the device: bio records, holding, durability. */
    public TappedDevice tap() {
        return tap;
    }

    /** The device as a {@link HoldingDevice}; only for {@link DeviceCompletion#HELD} setups. */
    public HoldingDevice holdingDevice() {
        if (setup.completion() != DeviceCompletion.HELD) {
            throw new IllegalStateException("the device was not set up with DeviceCompletion.HELD");
        }
        return (HoldingDevice) device;
    }

    public Mount mount() {
        return mount;
    }

    public OpenFile file() {
        return file;
    }

    public Inode inode() {
        return file.inode();
    }

    public DioCallLog calls() {
        return calls;
    }

    public TraceLog trace() {
        return trace;
    }

    /** The mount's counters since the file was arranged (or the last {@link #resetObservations()}). */
    public DioCounters counters() {
        return mount.counters().minus(baseline);
    }

    /** Forgets every record so far and restarts the counters; call with nothing in flight. */
    public void resetObservations() {
        tap.clearRecords();
        calls.clear();
        trace.clear();
        baseline = mount.counters();
    }

    public int logicalBlockSize() {
        return device.capabilities().logicalBlockSize();
    }

    public int fsBlockSize() {
        return mount.fileSystem().blockSize();
    }

    // ---- bios ----

    public List<BioRecord> bios() {
        return tap.bios();
    }

    public List<BioRecord> dataWrites() {
        return tap.bios().stream().filter(BioRecord::isDataWrite).toList();
    }

    public List<BioRecord> zeroWrites() {
        return tap.bios().stream().filter(BioRecord::isZeroWrite).toList();
    }

    public List<BioRecord> reads() {
        return tap.bios().stream().filter(BioRecord::isRead).toList();
    }

    public List<BioRecord> flushes() {
        return tap.bios().stream().filter(BioRecord::isFlush).toList();
    }

    /** Waits (bounded) until the device has ended {@code n} bios since the records were last cleared. */
    public void awaitDeviceCompletions(int n) {
        Waits.await(n + " bio completions").until(() -> tap.completedCount() >= n);
    }

    /** The thread the device completed the {@code index}-th bio of {@link #bios()} on. */
    public String completionThreadOf(int index) {
        long seq = tap.bios().get(index).seq();
        return tap.completions().stream().filter(c -> c.seq() == seq).findFirst()
                .orElseThrow(() -> new AssertionError("bio #" + seq + " has not completed")).thread();
    }

    /** The device address of file position {@code pos}, from the mappings the filesystem reported so far. */
    public long deviceAddressOf(long pos) {
        return calls.deviceAddressOf(inode().ino(), pos).orElseThrow(() -> new AssertionError(
                "the filesystem reported no mapping with blocks covering file position " + pos));
    }

    /**
     * Whether the file range was written since the file was arranged and is durable on the device (docs/design-rules.md, "Rule 5"):
     * every device block under it, where the filesystem last mapped it, got a write that completed without error
     * after the arrangement, and the tap finds it durable. A range this test never wrote is not durable by this
     * answer, whatever the arrangement left there.
     */
    public boolean isDurable(long pos, long length) {
        return notDurable(pos, length).isEmpty();
    }

    /** Why {@link #isDurable} refuses the range (which blocks and why), or empty when it is durable. */
    public String notDurable(long pos, long length) {
        long address = deviceAddressOf(pos);
        StringBuilder why = new StringBuilder();
        for (long block : tap.notWrittenSinceClear(address, length)) {
            why.append(why.isEmpty() ? "" : ", ").append("block ").append(block)
                    .append(": not written since the file was arranged");
        }
        String device = tap.notDurable(address, length);
        if (!device.isEmpty()) {
            why.append(why.isEmpty() ? "" : ", ").append(device);
        }
        return why.isEmpty() ? "" : "file range [" + pos + ", " + (pos + length) + ") at device address " + address
                + " is not durable: " + why;
    }

    /** The fsync calls the filesystem got since the file was arranged. */
    public List<FsyncCall> fsyncCalls() {
        return fixture.fileSystem().fsyncCalls(file);
    }

    // ---- memory ----

    /** A zeroed buffer aligned for direct I/O, freed when this environment closes. */
    public MemorySegment buffer(long size) {
        return arena.allocate(size, 4096);
    }

    /** A buffer holding the pattern for {@code seed}. */
    public MemorySegment patterned(long size, long seed) {
        MemorySegment b = buffer(size);
        Patterns.fill(b, 0, size, seed);
        return b;
    }

    // ---- I/O ----

    /**
     * Issues an asynchronous direct write of the pattern for seed {@code pos} with the test's own iocb.
     *
     * @param iocbFlags added to the file's flags and WRITE: the completion mode's flag, DSYNC, HIPRI, NOWAIT...
     */
    public IssuedIo write(long pos, int length, int iocbFlags) {
        MemorySegment buf = patterned(length, pos);
        CompletionLog log = new CompletionLog();
        Iocb iocb = new Iocb().set(inode(), pos, file.iocbFlags() | Iocb.WRITE | iocbFlags, log);
        long r = inode().write(iocb, buf, 0, length);
        return new IssuedIo(iocb, log, buf, pos, length, pos, r);
    }

    /** Issues an asynchronous direct read into a fresh buffer with the test's own iocb. */
    public IssuedIo read(long pos, int length, int iocbFlags) {
        return read(pos, length, iocbFlags, buffer(length));
    }

    /** Issues an asynchronous direct read into {@code buf} with the test's own iocb. */
    public IssuedIo read(long pos, int length, int iocbFlags, MemorySegment buf) {
        CompletionLog log = new CompletionLog();
        Iocb iocb = new Iocb().set(inode(), pos, file.iocbFlags() | iocbFlags, log);
        long r = inode().read(iocb, buf, 0, length);
        return new IssuedIo(iocb, log, buf, pos, length, 0, r);
    }

    /** A blocking pwrite of the pattern for seed {@code pos}. */
    public long pwrite(long pos, int length) throws JiomapException {
        return file.pwrite(patterned(length, pos), 0, length, pos);
    }

    /** A blocking pread; returns exactly the bytes read. */
    public byte[] pread(long pos, int length) throws JiomapException {
        MemorySegment buf = buffer(length);
        long n = file.pread(buf, 0, length, pos);
        return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** A ring owned by the calling thread; if the test leaves it open, closing this environment closes it. */
    public IoRing ring(CompletionMode mode) {
        return ring(mode, 0);
    }

    /** {@link #ring(CompletionMode)} with io_uring setup flags ({@link IoRing#SETUP_IOPOLL}). */
    public IoRing ring(CompletionMode mode, int setupFlags) {
        IoRing ring = IoRing.create(RING_ENTRIES, mode, setupFlags);
        synchronized (rings) {
            rings.add(ring);
        }
        return ring;
    }

    /**
     * Releases everything held, lets the calling thread's rings finish, unmounts and closes the device, each
     * step bounded so a broken engine fails the test instead of hanging it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Throwable> failures = new ArrayList<>();
        if (device instanceof ArrangedFileListener listener) {
            step(failures, listener::testEnded);
        }
        step(failures, tap::releaseAll);
        if (device instanceof HoldingDevice h && !h.isClosed()) {
            step(failures, h::stopHolding);
        }
        List<IoRing> mine;
        synchronized (rings) {
            mine = new ArrayList<>(rings);
        }
        for (IoRing ring : mine) {
            step(failures, () -> closeRing(ring));
        }
        step(failures, () -> new Background<Void>("unmount " + fixture.name(), () -> {
            mount.close();
            return null;
        }).await());
        step(failures, tap::close);
        step(failures, arena::close);
        if (!failures.isEmpty()) {
            AssertionError failed = new AssertionError("cleaning up " + fixture.name() + " failed: "
                    + failures.getFirst(), failures.getFirst());
            failures.subList(1, failures.size()).forEach(failed::addSuppressed);
            throw failed;
        }
    }

    private static void closeRing(IoRing ring) {
        try {
            ring.poll();
        } catch (IllegalStateException closedOrNotOwned) {
            // The test closed it, or a background thread owns it and closes it itself.
            return;
        }
        Waits.await("the ring's requests to complete").until(() -> {
            ring.poll();
            return ring.inFlight() == 0;
        });
        ring.close();
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }
}
