package io.jiomap.crash;

import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.crash.oracle.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Ace-style bounded workload (docs/crash-consistency.md, "Workloads"): on one or two small files,
 * already written and synced, a short sequence of core ops drawn from a small fixed argument space, ending in a
 * persistence point on the file the last op changed. {@link #enumerate} lists every sequence of up to N ops.
 *
 * <p>Ops name files by slot (0 and 1 are the setup files; a create adds one) so a rename or unlink earlier in the
 * sequence carries through; a sequence that would use a slot an earlier op removed is not generated.
 */
final class BoundedProgram implements Program {
    /**
     * One core op with fixed arguments relative to the file's state at run time.
     *
     * @param kind    the op kind
     * @param variant which of the kind's argument choices
     * @param target  the slot the op changes (the one the final fsync covers)
     * @param uses    the slots it needs alive (bit mask)
     * @param kills   the slots it removes (bit mask)
     */
    record Step(FsxOp kind, int variant, int target, int uses, int kills) {
        @Override
        public String toString() {
            return kind.name().toLowerCase(Locale.ROOT) + (variant > 0 ? "#" + variant : "");
        }
    }

    /** A symbolic link target longer than a block of most filesystems' inline room: 3000 bytes. */
    private static final String LONG_TARGET = "long/".repeat(600);
    /** utimens' access time, 2100-01-01T00:00:00.123456789Z: later than any ctime, so relatime leaves it alone. */
    private static final long ATIME_NS = 4_102_444_800_123_456_789L;
    /** utimens' modification time, 2001-09-09T01:46:40.000000001Z. */
    private static final long MTIME_NS = 1_000_000_000_000_000_001L;
    private static final int SLOT0 = 1;
    private static final int SLOT1 = 2;
    private static final int NEW_SLOT = 2;

    private final List<Step> steps;
    private final FsxOp persistence;
    private final List<Op> pending = new ArrayList<>();
    private final String[] slots = new String[3];
    private int setupStep;
    private int next;
    private boolean finished;
    private int names;

    BoundedProgram(List<Step> steps, FsxOp persistence) {
        this.steps = List.copyOf(steps);
        this.persistence = persistence;
    }

    /** The same sequence, ready to run from the start. */
    BoundedProgram copy() {
        return new BoundedProgram(steps, persistence);
    }

    /** Every core step the op set allows, with {@code files} setup files. */
    static List<Step> steps(FsxOps ops, int files) {
        List<Step> steps = new ArrayList<>();
        boolean two = files >= 2;
        for (FsxOp kind : ops.asSet()) {
            switch (kind) {
                case WRITE -> {
                    steps.add(new Step(kind, 0, 0, SLOT0, 0));
                    steps.add(new Step(kind, 1, 0, SLOT0, 0));
                    if (two) {
                        steps.add(new Step(kind, 2, 1, SLOT1, 0));
                    }
                }
                case TRUNCATE -> {
                    steps.add(new Step(kind, 0, 0, SLOT0, 0));
                    steps.add(new Step(kind, 1, 0, SLOT0, 0));
                }
                case SUB_BLOCK_WRITE, EXTENDING_WRITE, DSYNC_WRITE, RING_WRITES, FALLOCATE, FALLOCATE_KEEP_SIZE, PUNCH_HOLE,
                     ZERO_RANGE -> steps.add(new Step(kind, 0, 0, SLOT0, 0));
                case CLONE -> steps.add(two ? new Step(kind, 0, 1, SLOT0 | SLOT1, 0)
                        : new Step(kind, 0, 0, SLOT0, 0));
                case CREATE -> steps.add(new Step(kind, 0, NEW_SLOT, 0, 0));
                case RENAME -> {
                    steps.add(new Step(kind, 0, 0, SLOT0, 0));
                    if (two) {
                        steps.add(new Step(kind, 1, 1, SLOT0 | SLOT1, SLOT0));
                    }
                }
                case UNLINK -> {
                    if (two) {
                        steps.add(new Step(kind, 0, 0, SLOT1, SLOT1));
                    }
                }
                case LINK, CHMOD, CHOWN, UTIMENS -> steps.add(new Step(kind, 0, 0, SLOT0, 0));
                case SYMLINK -> {
                    // Variant 0 points at slot 0's name, so it needs slot 0; the long target needs no file.
                    steps.add(new Step(kind, 0, 0, SLOT0, 0));
                    steps.add(new Step(kind, 1, 0, 0, 0));
                }
                case RENAME_NOREPLACE -> {
                    steps.add(new Step(kind, 0, 0, SLOT0, 0));
                    if (two) {
                        steps.add(new Step(kind, 1, 1, SLOT0 | SLOT1, 0));
                    }
                }
                case RENAME_EXCHANGE -> {
                    if (two) {
                        steps.add(new Step(kind, 0, 0, SLOT0 | SLOT1, 0));
                    }
                }
                case READ, FSYNC, FDATASYNC, SYNC -> {
                    // READ changes nothing a crash could lose; the persistence kinds end the sequences.
                }
            }
        }
        return steps;
    }

    /**
     * Every sequence of 1..maxOps steps (in length order, then lexicographically), each with its final persistence
     * kind taken in turn from {@code persistence} so that every sequence ends in one and the count stays
     * {@code V + V^2 + ...}.
     */
    static List<BoundedProgram> enumerate(List<Step> steps, int maxOps, List<FsxOp> persistence) {
        List<BoundedProgram> programs = new ArrayList<>();
        List<Step> current = new ArrayList<>();
        for (int length = 1; length <= maxOps; length++) {
            extend(steps, length, current, 0, programs, persistence);
        }
        return programs;
    }

    private static void extend(List<Step> steps, int length, List<Step> current, int killed,
                               List<BoundedProgram> out, List<FsxOp> persistence) {
        if (current.size() == length) {
            out.add(new BoundedProgram(current, persistence.get(out.size() % persistence.size())));
            return;
        }
        for (Step step : steps) {
            if ((step.uses() & killed) != 0 || step.kind() == FsxOp.CREATE && createdAlready(current)) {
                continue;
            }
            current.add(step);
            extend(steps, length, current, killed | step.kills(), out, persistence);
            current.remove(current.size() - 1);
        }
    }

    /** One create per sequence: the new slot is a single name. */
    private static boolean createdAlready(List<Step> current) {
        for (Step s : current) {
            if (s.kind() == FsxOp.CREATE) {
                return true;
            }
        }
        return false;
    }

    String describe() {
        return steps + " then " + persistence.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public Op next(Model model, Geometry g) {
        if (!pending.isEmpty()) {
            return pending.remove(0);
        }
        int bs = g.blockSize();
        if (setupStep == 0) {
            // Setup: the files exist with data and are synced, so overwrites, truncates and clones have something
            // to lose, and names are durable.
            setupStep = 1;
            slots[0] = "/f0";
            pending.add(new Op.Write("/f0", 0, 4L * bs, false));
            if (g.files() >= 2) {
                slots[1] = "/f1";
                pending.add(new Op.Create("/f1"));
                pending.add(new Op.Write("/f1", 0, 2L * bs, false));
            }
            pending.add(new Op.Sync());
            return new Op.Create("/f0");
        }
        while (next < steps.size()) {
            Step step = steps.get(next++);
            List<Op> ops = resolve(step, model, g);
            if (!ops.isEmpty()) {
                pending.addAll(ops.subList(1, ops.size()));
                return ops.get(0);
            }
        }
        if (!finished) {
            finished = true;
            return finalPersistence(model);
        }
        return null;
    }

    private Op finalPersistence(Model model) {
        Step last = steps.get(steps.size() - 1);
        String path = slots[last.target()];
        if (path == null || !model.exists(path)) {
            path = null;
            for (String s : slots) {
                if (s != null && model.exists(s)) {
                    path = s;
                    break;
                }
            }
        }
        if (persistence == FsxOp.SYNC || path == null) {
            return new Op.Sync();
        }
        return new Op.Fsync(path, persistence == FsxOp.FDATASYNC);
    }

    /** The step's ops in the current state; empty when they would leave the size bound. */
    private List<Op> resolve(Step step, Model model, Geometry g) {
        int bs = g.blockSize();
        int lbs = g.logicalBlockSize();
        long max = g.maxFileSize();
        String f0 = slots[0];
        long size = f0 == null || !model.exists(f0) ? 0 : model.size(f0);
        long end = g.roundUp(size, bs);
        Op op = switch (step.kind()) {
            case WRITE -> switch (step.variant()) {
                case 0 -> new Op.Write(f0, bs, bs, false);
                case 1 -> new Op.Write(f0, end, bs, false);
                default -> new Op.Write(slots[1], 0, bs, false);
            };
            case SUB_BLOCK_WRITE -> new Op.Write(f0, bs + (bs > lbs ? lbs : 0), lbs, false);
            case EXTENDING_WRITE -> new Op.Write(f0, end + bs, bs, false);
            case DSYNC_WRITE -> new Op.Write(f0, 0, bs, true);
            case RING_WRITES -> new Op.RingWrites(f0, end + bs <= max
                    ? List.of(new Op.Range(0, bs), new Op.Range(2L * bs, bs), new Op.Range(end, bs))
                    : List.of(new Op.Range(0, bs), new Op.Range(2L * bs, bs)));
            case TRUNCATE -> new Op.Truncate(f0, step.variant() == 0 ? bs + (bs > lbs ? lbs : 0) : size + 2L * bs);
            case FALLOCATE -> new Op.Fallocate(f0, 0, end, 2L * bs);
            case FALLOCATE_KEEP_SIZE -> new Op.Fallocate(f0, Inode.FALLOC_KEEP_SIZE, end, 2L * bs);
            case PUNCH_HOLE -> new Op.Fallocate(f0, Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, bs, bs);
            case ZERO_RANGE -> new Op.Fallocate(f0, Inode.FALLOC_ZERO_RANGE, lbs, bs);
            case CLONE -> size < bs ? null : step.target() == 1 ? new Op.Clone(f0, 0, slots[1], 0, bs)
                    : new Op.Clone(f0, 0, f0, end, bs);
            case CREATE -> {
                slots[NEW_SLOT] = "/n" + names++;
                yield new Op.Create(slots[NEW_SLOT]);
            }
            case RENAME -> {
                if (step.variant() == 0) {
                    String to = "/r" + names++;
                    Op rename = new Op.Rename(f0, to);
                    slots[0] = to;
                    yield rename;
                }
                Op rename = new Op.Rename(slots[1], f0);
                slots[1] = f0;
                slots[0] = null;
                yield rename;
            }
            case UNLINK -> {
                Op unlink = new Op.Unlink(slots[1]);
                slots[1] = null;
                yield unlink;
            }
            case LINK -> new Op.Link(f0, "/l" + names++);
            case SYMLINK -> new Op.Symlink(step.variant() == 0 ? f0.substring(1) : LONG_TARGET, "/s" + names++);
            case CHMOD -> new Op.Chmod(f0, 04751);
            case CHOWN -> new Op.Chown(f0, 1000, 100);
            case UTIMENS -> new Op.Utimens(f0, ATIME_NS, MTIME_NS);
            case RENAME_NOREPLACE -> {
                if (step.variant() == 0) {
                    String to = "/r" + names++;
                    slots[0] = to;
                    yield new Op.Rename(f0, to, FileSystem.RENAME_NOREPLACE);
                }
                // Onto an existing name: fails with EEXIST, nothing changes.
                yield new Op.Rename(slots[1], f0, FileSystem.RENAME_NOREPLACE);
            }
            case RENAME_EXCHANGE -> new Op.Rename(f0, slots[1], FileSystem.RENAME_EXCHANGE);
            case READ, FSYNC, FDATASYNC, SYNC -> null;
        };
        if (op == null || outOfBounds(op, max)) {
            return List.of();
        }
        return List.of(op);
    }

    private static boolean outOfBounds(Op op, long max) {
        return switch (op) {
            case Op.Write w -> w.offset() + w.length() > max;
            case Op.RingWrites r -> r.ranges().getLast().offset() + r.ranges().getLast().length() > max;
            case Op.Truncate t -> t.size() > max;
            case Op.Fallocate f -> f.offset() + f.length() > max;
            case Op.Clone c -> c.targetOffset() + c.length() > max;
            default -> false;
        };
    }
}
