package io.jiomap.crash;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.crash.oracle.CrashExpectation;
import io.jiomap.crash.oracle.SectorPayload;
import io.jiomap.device.toolkit.crash.CrashState;
import io.jiomap.device.toolkit.crash.CrashStateGenerator;
import io.jiomap.device.toolkit.crash.Mode;
import io.jiomap.device.toolkit.crash.Snapshot;
import io.jiomap.device.toolkit.record.Recording;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks one crash state (docs/crash-consistency.md, "Checking a state"): mount (recovery), compare with the oracle,
 * unmount, fsck (must be clean), mount again, compare again and with what the first mount saw, unmount, fsck again:
 * recovery must be idempotent and what it recovered must survive a clean unmount. Optionally ({@link
 * CrashTest#recoveryCrashes}), crash the recovery itself and check that too.
 */
final class StateChecker implements AutoCloseable {
    private static final int CHUNK = 256 << 10;
    private static final int MAX_RANGES = 8;

    /** What one mount showed: per path, its size and the value of each checked sector. */
    private record Seen(long size, long[] sectors) {
    }

    private final CrashTest config;
    private final Workload workload;
    private final WorkloadRun.Result run;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;

    StateChecker(CrashTest config, Workload workload, WorkloadRun.Result run) {
        this.config = config;
        this.workload = workload;
        this.run = run;
        this.buffer = arena.allocate(CHUNK, 4096);
    }

    /** The problems found in one state; the violation's kind is that of the first. */
    private static final class Findings {
        final List<String> problems = new ArrayList<>();
        Violation.Kind kind;

        void add(Violation.Kind k, String problem) {
            problems.add(problem);
            if (kind == null) {
                kind = k;
            }
        }
    }

    /** Null when the state is consistent, else the violation. */
    Violation check(CrashState state) {
        CrashExpectation expectation = run.model().at(durableOp(state.point()), lastOp(state.point()));
        Findings findings = new Findings();
        try (BlockDevice device = state.open()) {
            Snapshot beforeRecovery = null;
            RecordingDevice recovery = null;
            if (config.recoveryCrashes() > 0) {
                beforeRecovery = Snapshot.of(device);
                recovery = new RecordingDevice(device);
            }
            Round first = round(recovery != null ? recovery : device, expectation, "", "fsck after recovery", null,
                    findings);
            if (first != null) {
                round(device, expectation, "after remount: ", "fsck after the remount", first, findings);
            }
            if (recovery != null && first != null && findings.problems.isEmpty()) {
                crashDuringRecovery(recovery.recording(), beforeRecovery, expectation, findings);
            }
        } catch (JiomapException e) {
            findings.add(Violation.Kind.EXCEPTION, "reading the crash state for its base image failed: " + e);
        } catch (RuntimeException e) {
            findings.add(Violation.Kind.EXCEPTION, "the filesystem threw: " + e);
        }
        if (findings.problems.isEmpty()) {
            return null;
        }
        String where = state.description() + "; the last persistence point that returned: "
                + describeOp(expectation.durableOp()) + "; ops started: up to #" + expectation.lastOp();
        return new Violation(findings.kind, workload.name(), workload.seed(), run.ops(), state.mode(), where,
                findings.problems);
    }

    /** What one mount saw, and the oracle problems it found. */
    private record Round(Map<String, Seen> seen, List<String> oracle) {
    }

    /**
     * Mount, oracle, unmount, fsck. With {@code previous} (the round after recovery) the oracle's problems are only
     * repeated if they differ, and a clean oracle must also see what the previous mount saw.
     *
     * @return what the mount saw, or null when mounting or unmounting failed
     */
    private Round round(BlockDevice device, CrashExpectation expectation, String when, String fsckWhat,
                        Round previous, Findings findings) {
        Mount mount;
        try {
            mount = Mount.mount(config.type(), device, config.mountOptions());
        } catch (JiomapException | RuntimeException e) {
            findings.add(Violation.Kind.MOUNT, when + (previous == null ? "mount (recovery) failed: "
                    : "mount failed: ") + e);
            return null;
        }
        Map<String, Seen> seen = new TreeMap<>();
        List<String> oracle = new ArrayList<>();
        try {
            verify(mount, expectation, seen, oracle);
        } catch (RuntimeException e) {
            findings.add(Violation.Kind.EXCEPTION, when + "the filesystem threw while being read: " + e);
        }
        if (previous != null && !oracle.isEmpty() && oracle.equals(previous.oracle())) {
            findings.add(Violation.Kind.ORACLE, when + "the same " + oracle.size() + " oracle problem"
                    + (oracle.size() == 1 ? "" : "s") + " again");
        } else {
            for (String p : oracle) {
                findings.add(Violation.Kind.ORACLE, when + p);
            }
        }
        if (previous != null && oracle.isEmpty() && previous.oracle().isEmpty()) {
            String difference = difference(previous.seen(), seen);
            if (difference != null) {
                findings.add(Violation.Kind.REMOUNT, "the remount shows other content than the first mount: "
                        + difference);
            }
        }
        try {
            mount.close();
        } catch (JiomapException | RuntimeException e) {
            findings.add(Violation.Kind.EXCEPTION, when + "unmount failed: " + e);
            return null;
        }
        fsck(device, fsckWhat, findings);
        return new Round(seen, oracle);
    }

    /**
     * A crash while the state was being recovered (docs/crash-consistency.md, "Crash during recovery"): the first
     * mount's own writes were recorded, and up to {@code recoveryCrashes} states of them, spread evenly over the
     * recording, must each recover to the same oracle. Stops at the first that does not.
     */
    private void crashDuringRecovery(Recording recording, Snapshot before, CrashExpectation expectation,
                                     Findings findings) {
        if (recording.writes().isEmpty()) {
            return;
        }
        CrashStateGenerator generator = CrashStateGenerator.of(recording, before).seed(config.seed());
        List<CrashState> states = new ArrayList<>();
        for (Mode mode : config.modes()) {
            states.addAll(generator.states(mode));
        }
        int k = Math.min(config.recoveryCrashes(), states.size());
        for (int i = 0; i < k; i++) {
            CrashState again = states.get((int) ((long) i * states.size() / k));
            int problems = findings.problems.size();
            try (BlockDevice device = again.open()) {
                round(device, expectation, "after a crash during recovery (" + again.description() + "): ",
                        "fsck after a crash during recovery (" + again.description() + ")", null, findings);
            }
            if (findings.problems.size() > problems) {
                return;
            }
        }
    }

    /**
     * fsck of the unmounted state must be clean and must not need repair (docs/crash-consistency.md,
     * "Checking a state").
     */
    private void fsck(BlockDevice device, String what, Findings findings) {
        try {
            FsckReport report = config.type().fsck(device, config.fsckOptions());
            for (String p : report.problems()) {
                findings.add(Violation.Kind.FSCK, what + ": " + p);
            }
        } catch (JiomapException | RuntimeException e) {
            findings.add(Violation.Kind.FSCK, what + " failed: " + e);
        }
    }

    private String describeOp(int op) {
        if (op < 0) {
            return "none";
        }
        return op < run.ops().size() ? "#" + op + " (" + run.ops().get(op) + ")" : "the clean unmount";
    }

    /** The op of the last mark at or before the crash point, -1 if none. */
    private int durableOp(long point) {
        int found = Arrays.binarySearch(run.markSeq(), point);
        int index = found >= 0 ? found : -found - 2;
        return index < 0 ? -1 : run.markOp()[index];
    }

    /** The last op that had started at the crash point, -1 if none. */
    private int lastOp(long point) {
        long[] starts = run.opStart();
        int last = -1;
        for (int i = 0; i < starts.length && starts[i] <= point; i++) {
            last = i;
        }
        return last;
    }

    private void verify(Mount mount, CrashExpectation exp, Map<String, Seen> seen, List<String> problems) {
        try {
            for (DirEntry entry : mount.readdir("/")) {
                String path = "/" + entry.name();
                if (!run.baselineNames().contains(path) && !exp.namesEver().contains(path)) {
                    problems.add("unexpected name " + path + ": neither a fresh filesystem nor any op that had"
                            + " started by the crash made it");
                }
            }
        } catch (JiomapException e) {
            problems.add("readdir / failed: " + e.getMessage());
        }
        Map<Integer, List<String>> foundAs = new HashMap<>();
        Map<Integer, List<String>> onlyCandidate = new HashMap<>();
        for (String path : exp.namesEver()) {
            OpenFile file;
            try {
                file = mount.open(path, 0);
            } catch (JiomapException e) {
                if (e.errno() != Errno.ENOENT) {
                    problems.add("open " + path + " failed: " + e.getMessage());
                }
                continue;
            }
            List<Integer> candidates = exp.candidates(path);
            if (candidates.isEmpty()) {
                problems.add(path + " exists, but no file may have that name at this crash point (its"
                        + " removal or rename had been made durable)");
                continue;
            }
            long size = file.size();
            long sectors = 0;
            for (int id : candidates) {
                sectors = Math.max(sectors, exp.sectorsToCheck(id, size));
            }
            long[] values;
            try {
                values = read(file, sectors);
            } catch (JiomapException e) {
                problems.add("reading " + path + " failed: " + e.getMessage());
                // It exists, whichever file it is: not reported missing on top.
                for (int id : candidates) {
                    foundAs.computeIfAbsent(id, k -> new ArrayList<>()).add(path);
                }
                continue;
            }
            seen.put(path, new Seen(size, values));
            List<String> best = null;
            int bestId = -1;
            for (int id : candidates) {
                List<String> mine = compare(path, id, size, values, exp);
                if (best == null || mine.size() < best.size()) {
                    best = mine;
                    bestId = id;
                }
                if (mine.isEmpty()) {
                    break;
                }
            }
            for (String p : best) {
                problems.add(p);
            }
            foundAs.computeIfAbsent(bestId, k -> new ArrayList<>()).add(path);
            if (candidates.size() == 1 && best.isEmpty()) {
                onlyCandidate.computeIfAbsent(bestId, k -> new ArrayList<>()).add(path);
            }
        }
        for (int id : exp.fileIds()) {
            String reason = exp.mustExist(id);
            if (reason != null && !foundAs.containsKey(id)) {
                problems.add("file #" + id + " is missing: none of its names " + exp.namesOf(id) + " exists,"
                        + " but " + reason + " and no op that had started removed it");
            }
            List<String> names = onlyCandidate.get(id);
            if (names != null && names.size() > 1) {
                problems.add("file #" + id + " exists under several names at once " + names + ": a rename"
                        + " was not atomic");
            }
        }
    }

    /** The problems of reading {@code values} as file {@code id}: size bounds, then each damaged byte range. */
    private static List<String> compare(String path, int id, long size, long[] values, CrashExpectation exp) {
        List<String> problems = new ArrayList<>();
        String file = path + " (file #" + id + ")";
        long lo = exp.minSize(id);
        long hi = exp.maxSize(id);
        if (size < lo || size > hi) {
            problems.add(file + " has size " + size + ", outside [" + lo + ", " + hi + "] (" + exp.sizeReason(id)
                    + ")");
        }
        CrashExpectation.Mismatch open = null;
        long openEnd = 0;
        int ranges = 0;
        int extra = 0;
        for (long s = 0; s <= values.length; s++) {
            CrashExpectation.Mismatch m = s < values.length ? exp.check(id, s, values[(int) s]) : null;
            if (open != null && (m == null || !m.key().equals(open.key()) || s != openEnd)) {
                if (ranges < MAX_RANGES) {
                    problems.add(file + " bytes [" + (open.sector() << SectorPayload.SHIFT) + ", "
                            + (openEnd << SectorPayload.SHIFT) + "): " + open.kind() + open.origin() + "; "
                            + open.expected());
                    ranges++;
                } else {
                    extra++;
                }
                open = null;
            }
            if (m != null && open == null) {
                open = m;
            }
            openEnd = s + 1;
        }
        if (extra > 0) {
            problems.add(file + ": " + extra + " more damaged ranges");
        }
        return problems;
    }

    /** The value of each of the first {@code sectors} sectors; past the end of the file they read as zeros. */
    private long[] read(OpenFile file, long sectors) throws JiomapException {
        long[] values = new long[(int) sectors];
        long bytes = sectors << SectorPayload.SHIFT;
        int lbs = run.recording().capabilities().logicalBlockSize();
        for (long done = 0; done < bytes; done += CHUNK) {
            int n = (int) Math.min(CHUNK, bytes - done);
            int length = (n + lbs - 1) / lbs * lbs;
            buffer.fill((byte) 0);
            file.pread(buffer, 0, length, done);
            for (int o = 0; o < n; o += SectorPayload.SIZE) {
                values[(int) ((done + o) >>> SectorPayload.SHIFT)] = SectorPayload.decode(buffer, o);
            }
        }
        return values;
    }

    private static String difference(Map<String, Seen> first, Map<String, Seen> second) {
        for (String path : first.keySet()) {
            if (!second.containsKey(path)) {
                return path + " was there after recovery but is gone after the remount";
            }
        }
        for (Map.Entry<String, Seen> e : second.entrySet()) {
            Seen a = first.get(e.getKey());
            Seen b = e.getValue();
            if (a == null) {
                return e.getKey() + " appeared only after the remount";
            }
            if (a.size() != b.size()) {
                return e.getKey() + " had size " + a.size() + " after recovery and " + b.size() + " after the remount";
            }
            for (int s = 0; s < Math.min(a.sectors().length, b.sectors().length); s++) {
                if (a.sectors()[s] != b.sectors()[s]) {
                    return e.getKey() + " bytes [" + ((long) s << SectorPayload.SHIFT) + ", +512) held "
                            + SectorPayload.describe(a.sectors()[s]) + " after recovery and "
                            + SectorPayload.describe(b.sectors()[s]) + " after the remount";
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        arena.close();
    }
}
