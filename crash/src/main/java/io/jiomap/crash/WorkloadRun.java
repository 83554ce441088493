package io.jiomap.crash;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.CompletionMode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.IoRing;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.crash.oracle.Attribute;
import io.jiomap.crash.oracle.CrashExpectation;
import io.jiomap.crash.oracle.Model;
import io.jiomap.crash.oracle.SectorPayload;
import io.jiomap.device.toolkit.crash.Snapshot;
import io.jiomap.device.toolkit.record.Recording;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Runs one workload through the real core on a {@link RecordingDevice} over a fresh device (docs/crash-consistency.md,
 * "Recording device"): mkfs, a flush (the harness's own barrier, so the fresh filesystem is the base every
 * crash state starts from), mount, the ops, a clean unmount. Every write carries self-identifying payloads; after every
 * persistence point returns, the recording is marked and the model notes what became durable.
 */
final class WorkloadRun {
    private static final int RING_ENTRIES = 16;
    /**
     * What a run left for the checker.
     *
     * @param violations    what went wrong while it ran (the run stops at the first failed op)
     * @param recording     every write, flush and mark, from mkfs to the end
     * @param base          the device before mkfs
     * @param firstPoint    the crash point right after mkfs's flush: earlier states are not a filesystem yet
     * @param model         what the ops did
     * @param ops           the ops, in order; op i started at event {@code opStart[i]}
     * @param opStart       the recording's event count when each op started; the last entry is the unmount
     * @param markSeq       each mark's event, ascending
     * @param markOp        the op after which each mark was made
     * @param baselineNames the names a fresh filesystem lists in "/" (e.g. lost+found, raw's dev)
     */
    record Result(List<Violation> violations, Recording recording, Snapshot base, long firstPoint, Model model,
                  List<Op> ops, long[] opStart, long[] markSeq, int[] markOp, Set<String> baselineNames) {
        boolean completed() {
            return violations.isEmpty();
        }
    }

    private final CrashTest config;
    private final Workload workload;
    private final Model model = new Model();
    private final List<Op> ops = new ArrayList<>();
    private final List<Long> opStart = new ArrayList<>();
    private final List<Long> markSeq = new ArrayList<>();
    private final List<Integer> markOp = new ArrayList<>();
    private final List<Violation> violations = new ArrayList<>();
    private RecordingDevice recorder;
    private Mount mount;
    private Arena arena;
    private MemorySegment buffer;
    private IoRing ring;

    private WorkloadRun(CrashTest config, Workload workload) {
        this.config = config;
        this.workload = workload;
    }

    static Result run(CrashTest config, Workload workload) {
        return new WorkloadRun(config, workload).run();
    }

    private Result run() {
        BlockDevice device = config.newDevice();
        Snapshot base;
        try {
            base = Snapshot.of(device);
        } catch (JiomapException e) {
            device.close();
            throw new IllegalStateException("cannot read the fresh device " + device.name() + " for the base image: "
                    + e.getMessage(), e);
        }
        recorder = new RecordingDevice(device);
        arena = Arena.ofShared();
        long firstPoint = -1;
        Set<String> baseline = new HashSet<>();
        try {
            String step = "mkfs";
            try {
                Mount.mkfs(config.type(), recorder, config.mkfsOptions());
                int flushed = SyncBio.flush(recorder);
                if (flushed != 0) {
                    throw new JiomapException(-flushed, "flushing the device after mkfs");
                }
                firstPoint = recorder.eventCount() - 1;
                step = "mount";
                mount = Mount.mount(config.type(), config.filter(recorder), config.mountOptions());
                for (DirEntry e : mount.readdir("/")) {
                    baseline.add("/" + e.name());
                }
            } catch (JiomapException | RuntimeException e) {
                fail(-1, step + " of a fresh " + config.type().name() + " failed: " + e);
                return result(base, firstPoint, baseline);
            }
            Program.Geometry geometry = new Program.Geometry(mount.fileSystem().blockSize(),
                    recorder.capabilities().logicalBlockSize(), workload.maxFileSize(), workload.files());
            Program program = workload.program();
            for (Op op = program.next(model, geometry); op != null; op = program.next(model, geometry)) {
                int index = ops.size();
                ops.add(op);
                opStart.add(recorder.eventCount());
                try {
                    execute(index, op);
                    checkNames(index, op);
                } catch (JiomapException | RuntimeException e) {
                    String why = e instanceof JiomapException ? e.getMessage() : e.toString();
                    fail(index, "op #" + index + " (" + op + ") failed: " + why + hint(op, e));
                }
                if (!violations.isEmpty()) {
                    return result(base, firstPoint, baseline);
                }
            }
            int unmount = ops.size();
            opStart.add(recorder.eventCount());
            try {
                mount.close();
            } catch (JiomapException | RuntimeException e) {
                fail(unmount, "the clean unmount after op #" + (unmount - 1) + " failed: " + e);
                return result(base, firstPoint, baseline);
            }
            mount = null;
            mark(unmount, "op #" + unmount + " clean unmount");
            model.allDurable(unmount, "the clean unmount after op #" + (unmount - 1));
            return result(base, firstPoint, baseline);
        } finally {
            if (ring != null) {
                ring.close();
            }
            if (mount != null) {
                try {
                    mount.close();
                } catch (JiomapException | RuntimeException ignored) {
                    // The run already failed and says why; a second failure while tearing down adds nothing.
                }
            }
            recorder.close();
            arena.close();
        }
    }

    private Result result(Snapshot base, long firstPoint, Set<String> baseline) {
        long[] starts = new long[opStart.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = opStart.get(i);
        }
        long[] seqs = new long[markSeq.size()];
        int[] mops = new int[markOp.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = markSeq.get(i);
            mops[i] = markOp.get(i);
        }
        return new Result(List.copyOf(violations), recorder.recording(), base, firstPoint, model, List.copyOf(ops),
                starts, seqs, mops, Set.copyOf(baseline));
    }

    private static String hint(Op op, Exception e) {
        if (op instanceof Op.Clone && e instanceof JiomapException j && j.errno() == Errno.EOPNOTSUPP) {
            return " (a filesystem without reflink: leave FsxOp.CLONE out of the op set)";
        }
        return "";
    }

    private void fail(int index, String problem) {
        String where = index < 0 ? "setting up the workload" : "during the workload, at op #" + index;
        violations.add(new Violation(Violation.Kind.WORKLOAD, workload.name(), workload.seed(), ops, null, where,
                List.of(problem)));
    }

    private void execute(int index, Op op) throws JiomapException {
        switch (op) {
            case Op.Create c -> {
                long size;
                long ino;
                try (OpenFile file = mount.open(c.path(), OpenFile.CREATE)) {
                    size = file.size();
                    ino = file.inode().ino();
                }
                for (String other : model.names()) {
                    if (mount.lstat(other).ino() == ino) {
                        throw new JiomapException(Errno.EEXIST, "create " + c.path() + " gave the inode of " + other
                                + " (ino " + ino + "): a filesystem with a single file (raw) needs"
                                + " Workloads...files(1) and an op set without CREATE");
                    }
                }
                FileStat st = mount.lstat(c.path());
                model.create(index, c.path(), size, st.mode(), st.uid(), st.gid());
            }
            case Op.Write w -> write(index, w);
            case Op.RingWrites r -> ringWrites(index, r);
            case Op.Read r -> read(index, r);
            case Op.Truncate t -> {
                try (OpenFile file = open(t.path())) {
                    file.truncate(t.size());
                }
                model.truncate(index, t.path(), t.size());
            }
            case Op.Fallocate f -> {
                try (OpenFile file = open(f.path())) {
                    file.fallocate(f.mode(), f.offset(), f.length());
                }
                boolean keep = (f.mode() & Inode.FALLOC_KEEP_SIZE) != 0;
                if ((f.mode() & (Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_ZERO_RANGE)) != 0) {
                    model.zero(index, f.path(), f.offset(), f.length(), !keep);
                } else {
                    model.allocate(index, f.path(), f.offset(), f.length(), keep);
                }
            }
            case Op.Clone c -> {
                try (OpenFile target = open(c.target()); OpenFile source = open(c.source())) {
                    target.cloneFrom(source, c.sourceOffset(), c.targetOffset(), c.length());
                }
                model.cloneRange(index, c.source(), c.sourceOffset(), c.target(), c.targetOffset(), c.length());
            }
            case Op.Fsync f -> {
                try (OpenFile file = open(f.path())) {
                    file.fsync(f.datasync());
                }
                String what = "op #" + index + " " + op;
                mark(index, what);
                model.fileDurable(index, f.path(), f.datasync(), what);
            }
            case Op.Rename r -> rename(index, r);
            case Op.Unlink u -> {
                mount.unlink(u.path());
                model.unlink(index, u.path());
            }
            case Op.Link l -> {
                mount.link(l.existing(), l.newPath());
                model.link(index, l.existing(), l.newPath());
            }
            case Op.Symlink l -> {
                FileStat st = mount.symlink(l.target(), l.path());
                model.symlink(index, l.path(), l.target(), st.uid(), st.gid());
            }
            case Op.Chmod c -> {
                mount.chmod(c.path(), c.mode());
                model.chmod(index, c.path(), c.mode());
            }
            case Op.Chown c -> {
                mount.chown(c.path(), c.uid(), c.gid());
                model.chown(index, c.path(), c.uid(), c.gid());
            }
            case Op.Utimens u -> {
                mount.utimens(u.path(), u.atime(), u.mtime());
                model.utimens(index, u.path(), u.atime(), u.mtime());
            }
            case Op.Sync s -> {
                mount.sync();
                String what = "op #" + index + " sync";
                mark(index, what);
                model.allDurable(index, what);
            }
        }
    }

    /** A rename as its flags say; RENAME_NOREPLACE onto a name the model has must fail with EEXIST, changing nothing. */
    private void rename(int index, Op.Rename r) throws JiomapException {
        boolean mustFail = r.flags() == FileSystem.RENAME_NOREPLACE && model.exists(r.to());
        try {
            mount.rename(r.from(), r.to(), r.flags());
        } catch (JiomapException e) {
            if (mustFail && e.errno() == Errno.EEXIST) {
                return;
            }
            throw e;
        }
        if (mustFail) {
            throw new JiomapException(Errno.EIO, r + " succeeded, but " + r.to() + " exists: RENAME_NOREPLACE must"
                    + " fail with EEXIST");
        }
        if (r.flags() == FileSystem.RENAME_EXCHANGE) {
            model.exchange(index, r.from(), r.to());
        } else {
            model.rename(index, r.from(), r.to());
        }
    }

    private OpenFile open(String path) throws JiomapException {
        return mount.open(path, 0);
    }

    private void write(int index, Op.Write w) throws JiomapException {
        int seq = model.nextWriteSeq();
        MemorySegment data = buffer(w.length());
        for (long o = 0; o < w.length(); o += SectorPayload.SIZE) {
            SectorPayload.fill(data, o, model.payload(w.path(), w.offset() + o, seq));
        }
        long n;
        try (OpenFile file = mount.open(w.path(), w.dsync() ? OpenFile.DSYNC : 0)) {
            n = file.pwrite(data, 0, w.length(), w.offset());
        }
        if (n != w.length()) {
            throw new JiomapException(Errno.EIO, "short write: " + n + " of " + w.length() + " bytes");
        }
        model.write(index, w.path(), w.offset(), w.length(), seq);
        if (w.dsync()) {
            String what = "op #" + index + " " + w;
            mark(index, what);
            model.rangeDurable(index, w.path(), w.offset(), w.length(), what);
        }
    }

    /**
     * Submits every range at once through the ring (caller completion: pure overwrites complete in this thread while
     * it reaps, the rest on the workqueue), waits for all, and marks: each range is then durable.
     */
    private void ringWrites(int index, Op.RingWrites r) throws JiomapException {
        if (ring == null) {
            ring = IoRing.create(RING_ENTRIES, CompletionMode.CALLER);
        }
        if (r.ranges().size() > RING_ENTRIES) {
            throw new IllegalArgumentException(r + ": at most " + RING_ENTRIES + " writes in flight");
        }
        try (OpenFile file = open(r.path())) {
            ringWrites(index, r, file);
        }
    }

    private void ringWrites(int index, Op.RingWrites r, OpenFile file) throws JiomapException {
        long total = 0;
        for (Op.Range range : r.ranges()) {
            total += range.length();
        }
        MemorySegment data = buffer(total);
        int[] seqs = new int[r.ranges().size()];
        long at = 0;
        for (int i = 0; i < seqs.length; i++) {
            Op.Range range = r.ranges().get(i);
            seqs[i] = model.nextWriteSeq();
            for (long o = 0; o < range.length(); o += SectorPayload.SIZE) {
                SectorPayload.fill(data, at + o, model.payload(r.path(), range.offset() + o, seqs[i]));
            }
            ring.prepWrite(file, data, at, (int) range.length(), range.offset(), IoRing.RWF_DSYNC, i);
            at += range.length();
        }
        ring.submitAndWait(seqs.length);
        long[] results = new long[seqs.length];
        int reaped = ring.reap((user, result) -> results[(int) user] = result);
        if (reaped != seqs.length) {
            throw new JiomapException(Errno.EIO, "the ring reaped " + reaped + " of " + seqs.length + " writes");
        }
        for (int i = 0; i < seqs.length; i++) {
            Op.Range range = r.ranges().get(i);
            if (results[i] != range.length()) {
                throw new JiomapException(results[i] < 0 ? (int) -results[i] : Errno.EIO, "ring write "
                        + range + " returned " + (results[i] < 0 ? Errno.name((int) results[i]) : results[i]
                        + " bytes"));
            }
            model.write(index, r.path(), range.offset(), range.length(), seqs[i]);
        }
        String what = "op #" + index + " " + r;
        mark(index, what);
        for (Op.Range range : r.ranges()) {
            model.rangeDurable(index, r.path(), range.offset(), range.length(), what);
        }
    }

    /** A read must return exactly what the model says the file holds now. */
    private void read(int index, Op.Read r) throws JiomapException {
        MemorySegment data = buffer(r.length());
        data.asSlice(0, r.length()).fill((byte) 0);
        long size = model.size(r.path());
        long expected = Math.max(0, Math.min(r.length(), size - r.offset()));
        long n;
        try (OpenFile file = open(r.path())) {
            n = file.pread(data, 0, r.length(), r.offset());
        }
        model.read(index, r.path());
        if (n != expected) {
            fail(index, "op #" + index + " (" + r + ") returned " + n + " bytes; the file's size " + size
                    + " allows " + expected);
            return;
        }
        for (long o = 0; o < n; o += SectorPayload.SIZE) {
            long found = SectorPayload.decode(data, o);
            long want = model.current(r.path(), (r.offset() + o) >>> SectorPayload.SHIFT);
            if (found != want) {
                fail(index, "op #" + index + " (" + r + ") read " + SectorPayload.describe(found) + " at byte "
                        + (r.offset() + o) + " where the file holds " + SectorPayload.describe(want));
                return;
            }
        }
    }

    /**
     * After every op, every name must be what the model says: its kind, a symbolic link's target, a file's size, link
     * count, mode, owner and the times last set explicitly.
     */
    private void checkNames(int index, Op op) throws JiomapException {
        for (String path : model.names()) {
            String wrong = mismatch(path, mount.lstat(path));
            if (wrong != null) {
                fail(index, "after op #" + index + " (" + op + "), " + path + " " + wrong);
                return;
            }
        }
    }

    private String mismatch(String path, FileStat st) throws JiomapException {
        FileKind kind = model.kind(path);
        if (st.kind() != kind) {
            return "is a " + st.kind() + "; the ops so far make it a " + kind;
        }
        if (kind == FileKind.SYMLINK) {
            String target = mount.readlink(path);
            if (!target.equals(model.target(path))) {
                return "holds the target '" + target + "'; symlink wrote '" + model.target(path) + "'";
            }
        } else if (st.size() != model.size(path)) {
            return "has size " + st.size() + "; the ops so far give " + model.size(path);
        }
        if (st.links() != model.links(path)) {
            return "has link count " + st.links() + "; the ops so far give it " + model.links(path) + " names";
        }
        for (Attribute a : Attribute.values()) {
            Long want = model.attribute(path, a);
            long found = switch (a) {
                case MODE -> st.mode();
                case UID -> st.uid();
                case GID -> st.gid();
                case ATIME -> st.atime();
                case MTIME -> st.mtime();
            };
            if (want != null && want != found) {
                return "has " + a.name().toLowerCase(Locale.ROOT) + " " + CrashExpectation.format(a, found)
                        + "; the ops so far set " + CrashExpectation.format(a, want);
            }
        }
        return null;
    }

    private void mark(int index, String label) {
        markSeq.add(recorder.mark(label));
        markOp.add(index);
    }

    private MemorySegment buffer(long length) {
        if (buffer == null || buffer.byteSize() < length) {
            int align = Math.max(4096, recorder.capabilities().dmaAlignment());
            buffer = arena.allocate(Math.max(length, 256 << 10), align);
        }
        return buffer;
    }
}
