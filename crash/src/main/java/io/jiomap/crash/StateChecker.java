package io.jiomap.crash;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.crash.oracle.Attribute;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks one crash state (docs/crash-consistency.md, "Checking a state"): mount (recovery), compare with the oracle,
 * unmount, fsck (must be clean), mount again, compare again and with what the first mount saw, unmount, fsck again:
 * recovery must be idempotent and what it recovered must survive a clean unmount. Optionally ({@link
 * CrashTest#recoveryCrashes}), crash the recovery itself and check that too.
 */
final class StateChecker implements AutoCloseable {
    private static final int CHUNK = 256 << 10;
    private static final int MAX_RANGES = 8;

    /**
     * What one mount showed of a name: the inode's number, kind, attributes that must survive a clean unmount, a
     * symbolic link's target, and each checked sector's value. Not atime: the checker's own reads may refresh it.
     */
    private record Seen(long ino, FileKind kind, long size, int mode, int uid, int gid, int links, long mtime,
                        String target, long[] sectors) {
        String describe() {
            return kind.name().toLowerCase(Locale.ROOT) + " ino " + ino + " size " + size + " mode 0"
                    + Integer.toOctalString(mode) + " owner " + uid + ":" + gid + " links " + links + " mtime "
                    + CrashExpectation.format(Attribute.MTIME, mtime) + (target == null ? "" : " target '" + target
                    + "'");
        }
    }

    /** A name found in the crash state: what lstat said, and a symbolic link's target. */
    private record Found(String name, FileStat stat, String target) {
        String describe() {
            return stat.kind() == FileKind.SYMLINK ? "a symbolic link to '" + abbreviate(target) + "' (ino "
                    + stat.ino() + ")" : "a " + stat.kind().name().toLowerCase(Locale.ROOT) + " (ino " + stat.ino()
                    + ")";
        }
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
        // Every name the workload may have left, and whatever else "/" lists.
        Map<String, Long> listed = new TreeMap<>();
        try {
            for (DirEntry entry : mount.readdir("/")) {
                listed.put("/" + entry.name(), entry.ino());
            }
        } catch (JiomapException e) {
            problems.add("readdir / failed: " + e.getMessage());
        }
        Set<String> names = new TreeSet<>(exp.namesEver());
        for (String path : listed.keySet()) {
            if (!run.baselineNames().contains(path) && !names.contains(path)) {
                problems.add("unexpected name " + path + ": neither a fresh filesystem nor any op that had"
                        + " started by the crash made it");
            }
        }
        Map<Long, List<Found>> groups = new TreeMap<>();
        for (String path : names) {
            FileStat st;
            String target = null;
            try {
                st = mount.lstat(path);
                if (st.kind() == FileKind.SYMLINK) {
                    target = mount.readlink(path);
                }
            } catch (JiomapException e) {
                if (e.errno() != Errno.ENOENT) {
                    problems.add("lstat " + path + " failed: " + e.getMessage());
                }
                continue;
            }
            groups.computeIfAbsent(st.ino(), k -> new ArrayList<>()).add(new Found(path, st, target));
        }
        checkLinkCounts(groups, listed, problems);
        List<List<Found>> found = new ArrayList<>(groups.values());
        // Per group (one inode), the files it may be, and what comparing it with each finds wrong.
        List<List<Integer>> candidates = new ArrayList<>();
        List<Map<Integer, List<String>>> content = new ArrayList<>();
        for (List<Found> group : found) {
            List<Integer> ids = candidates(group, exp);
            candidates.add(ids);
            content.add(compareAll(mount, group, ids, exp, seen, problems));
        }
        int[] best = assign(found, candidates, content, exp);
        if (best != null) {
            for (int g = 0; g < found.size(); g++) {
                problems.addAll(content.get(g).get(best[g]));
            }
            return;
        }
        // No assignment of files to the inodes found is a state the ops leave: say what is wrong with the likeliest.
        Map<String, Integer> likeliest = new TreeMap<>();
        Map<Integer, List<String>> namesOf = new TreeMap<>();
        for (int g = 0; g < found.size(); g++) {
            List<Found> group = found.get(g);
            if (candidates.get(g).isEmpty()) {
                for (Found f : group) {
                    problems.add(f.name() + " is " + f.describe() + ", but at this crash point it may hold only "
                            + describe(exp.possible(f.name()), exp));
                }
                continue;
            }
            int id = fewestProblems(candidates.get(g), content.get(g));
            problems.addAll(content.get(g).get(id));
            for (Found f : group) {
                likeliest.put(f.name(), id);
                namesOf.computeIfAbsent(id, k -> new ArrayList<>()).add(f.name());
            }
        }
        int before = problems.size();
        for (int id : exp.fileIds()) {
            String reason = exp.mustExist(id);
            if (reason != null && !namesOf.containsKey(id)) {
                problems.add(what(id, exp) + " is missing: none of its names " + exp.namesOf(id) + " exists, but "
                        + reason + " and no op that had started removed it");
            }
            List<String> as = namesOf.get(id);
            if (as != null && as.size() > exp.maxNames(id)) {
                problems.add(what(id, exp) + " exists under several names at once " + as + ": it never had more"
                        + " than " + exp.maxNames(id) + " since the last sync, so a rename was not atomic");
            }
        }
        for (String name : names) {
            if (!exp.changedSinceSync(name) && exp.durableValue(name) != 0
                    && likeliest.getOrDefault(name, 0) != exp.durableValue(name)
                    && namesOf.containsKey(exp.durableValue(name)) && likeliest.containsKey(name)) {
                problems.add(name + " holds " + what(likeliest.get(name), exp) + ", but the last sync made it "
                        + what(exp.durableValue(name), exp) + " and no op since changed it");
            }
        }
        if (problems.size() == before && likeliest.size() == groups.values().stream().mapToInt(List::size).sum()) {
            List<String> ops = new ArrayList<>();
            for (int op : exp.namespaceOpsSinceSync()) {
                ops.add("#" + op + " " + run.ops().get(op));
            }
            Map<String, String> shown = new TreeMap<>();
            likeliest.forEach((name, id) -> shown.put(name, what(id, exp)));
            problems.add("the names found " + shown + " are no state the namespace ops started since the last sync"
                    + " (" + (exp.syncOp() < 0 ? "none yet" : describeOp(exp.syncOp())) + ") leave when each is"
                    + " applied whole or not at all: " + ops);
        }
    }

    /** Every name a directory lists counts one link of its inode; lstat must say as many. */
    private static void checkLinkCounts(Map<Long, List<Found>> groups, Map<String, Long> listed,
                                        List<String> problems) {
        for (Map.Entry<Long, List<Found>> g : groups.entrySet()) {
            List<String> names = new ArrayList<>();
            listed.forEach((name, ino) -> {
                if (ino.longValue() == g.getKey()) {
                    names.add(name);
                }
            });
            Found first = g.getValue().getFirst();
            if (names.isEmpty() || first.stat().isDirectory()) {
                // Not listed at all: a filesystem whose every path names one inode (raw); nothing to count.
                continue;
            }
            if (first.stat().links() != names.size()) {
                problems.add(first.name() + " (ino " + g.getKey() + ") has link count " + first.stat().links()
                        + ", but / lists " + names.size() + " name" + (names.size() == 1 ? "" : "s") + " for it "
                        + names);
            }
        }
    }

    /** The files every name of the group may hold, of the kind found (and a symbolic link's exact target). */
    private static List<Integer> candidates(List<Found> group, CrashExpectation exp) {
        List<Integer> ids = new ArrayList<>(exp.candidates(group.getFirst().name()));
        for (Found f : group) {
            ids.retainAll(exp.candidates(f.name()));
        }
        Found first = group.getFirst();
        ids.removeIf(id -> exp.kind(id) != first.stat().kind()
                || first.stat().kind() == FileKind.SYMLINK && !exp.target(id).equals(first.target()));
        return ids;
    }

    /** The problems of the group as each candidate; records what the mount saw. */
    private Map<Integer, List<String>> compareAll(Mount mount, List<Found> group, List<Integer> ids,
                                                  CrashExpectation exp, Map<String, Seen> seen,
                                                  List<String> problems) {
        Found first = group.getFirst();
        FileStat st = first.stat();
        Map<Integer, List<String>> result = new HashMap<>();
        long[] values = new long[0];
        if (st.kind() == FileKind.REGULAR && !ids.isEmpty()) {
            long sectors = 0;
            for (int id : ids) {
                sectors = Math.max(sectors, exp.sectorsToCheck(id, st.size()));
            }
            try (OpenFile file = mount.open(first.name(), 0)) {
                values = read(file, sectors);
            } catch (JiomapException e) {
                problems.add("reading " + first.name() + " failed: " + e.getMessage());
                values = null;
            }
        }
        for (Found f : group) {
            seen.put(f.name(), new Seen(st.ino(), st.kind(), st.size(), st.mode(), st.uid(), st.gid(), st.links(),
                    st.mtime(), first.target(), values == null ? new long[0] : values));
        }
        for (int id : ids) {
            List<String> mine = new ArrayList<>();
            String file = first.name() + " (" + what(id, exp) + ")";
            if (st.kind() == FileKind.REGULAR && values != null) {
                mine.addAll(compare(first.name(), id, st.size(), values, exp));
            }
            attribute(mine, file, id, Attribute.MODE, st.mode(), exp);
            attribute(mine, file, id, Attribute.UID, st.uid(), exp);
            attribute(mine, file, id, Attribute.GID, st.gid(), exp);
            if (st.kind() == FileKind.REGULAR) {
                attribute(mine, file, id, Attribute.ATIME, st.atime(), exp);
                attribute(mine, file, id, Attribute.MTIME, st.mtime(), exp);
            }
            result.put(id, mine);
        }
        return result;
    }

    private static void attribute(List<String> problems, String file, int id, Attribute a, long found,
                                  CrashExpectation exp) {
        String wrong = exp.checkAttribute(id, a, found);
        if (wrong != null) {
            problems.add(file + " has " + wrong);
        }
    }

    /**
     * The files the groups are, one each and all different, such that the names are a state the started ops leave,
     * with the fewest problems; null when there is none.
     */
    private static int[] assign(List<List<Found>> found, List<List<Integer>> candidates,
                                List<Map<Integer, List<String>>> content, CrashExpectation exp) {
        int[] current = new int[found.size()];
        int[][] best = {null};
        int[] bestCount = {Integer.MAX_VALUE};
        search(0, current, new HashSet<>(), 0, found, candidates, content, exp, best, bestCount);
        return best[0];
    }

    private static void search(int g, int[] current, Set<Integer> used, int count, List<List<Found>> found,
                               List<List<Integer>> candidates, List<Map<Integer, List<String>>> content,
                               CrashExpectation exp, int[][] best, int[] bestCount) {
        if (count >= bestCount[0]) {
            return;
        }
        if (g == found.size()) {
            Map<String, Integer> names = new HashMap<>();
            for (int i = 0; i < found.size(); i++) {
                for (Found f : found.get(i)) {
                    names.put(f.name(), current[i]);
                }
            }
            if (exp.reachable(names)) {
                best[0] = current.clone();
                bestCount[0] = count;
            }
            return;
        }
        for (int id : candidates.get(g)) {
            if (used.add(id)) {
                current[g] = id;
                search(g + 1, current, used, count + content.get(g).get(id).size(), found, candidates, content, exp,
                        best, bestCount);
                used.remove(id);
                if (bestCount[0] == 0) {
                    return;
                }
            }
        }
    }

    private static int fewestProblems(List<Integer> ids, Map<Integer, List<String>> content) {
        int best = ids.getFirst();
        for (int id : ids) {
            if (content.get(id).size() < content.get(best).size()) {
                best = id;
            }
        }
        return best;
    }

    private static String describe(Set<Integer> ids, CrashExpectation exp) {
        List<String> shown = new ArrayList<>();
        for (int id : ids) {
            shown.add(id == 0 ? "nothing" : what(id, exp));
        }
        return String.join(" or ", shown);
    }

    /** {@code file #3} or {@code symbolic link #4 -> 'target'}. */
    private static String what(int id, CrashExpectation exp) {
        return exp.kind(id) == FileKind.SYMLINK ? "symbolic link #" + id + " -> '" + abbreviate(exp.target(id))
                + "'" : "file #" + id;
    }

    private static String abbreviate(String target) {
        return target.length() <= 60 ? target : target.substring(0, 60) + "... (" + target.length() + " chars)";
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
            if (!a.describe().equals(b.describe())) {
                return e.getKey() + " was " + a.describe() + " after recovery and " + b.describe()
                        + " after the remount";
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
