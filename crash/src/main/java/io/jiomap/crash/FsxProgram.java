package io.jiomap.crash;

import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Inode;
import io.jiomap.crash.oracle.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The fsx-like random op stream (docs/crash-consistency.md, "Workloads"): it creates its files and syncs, then
 * draws {@code ops} ops from the chosen kinds with a seeded generator, each fitted to the current state (offsets
 * inside the size bound, clones within the source's data, renames to fresh names or over another file, links and
 * symbolic links up to a bound on the names).
 */
final class FsxProgram implements Program {
    /** Relative weights: data ops dominate, as in fsx. */
    private static final int[] WEIGHT = weights();

    /** Owners and groups chown picks from. */
    private static final int[] IDS = {0, 1, 1000, 65534, 100000};
    private static final long YEAR_NS = 365L * 24 * 3600 * 1_000_000_000L;
    /**
     * Access times utimens sets lie in 2100 and later: later than any ctime, so relatime never refreshes them when a
     * file is read (the checker reads every file), and only an explicit set changes them.
     */
    private static final long FUTURE_NS = 4_102_444_800L * 1_000_000_000L;
    /** Modification times utimens sets lie in 2000 to 2020. */
    private static final long PAST_NS = 946_684_800L * 1_000_000_000L;
    /** The longest symbolic link target, in bytes (PATH_MAX less its NUL). */
    private static final int PATH_MAX = 4095;
    private static final String[] PATH_CHARS = {"a", "b", "c", "d", "e", "k", "q", "z", "0", "7", ".", "-", "_", "/",
            "\u00e9", "\u20ac", "\ud83d\ude00"};

    private final SplittableRandom random;
    private final List<FsxOp> choices = new ArrayList<>();
    private final int ops;
    private int setupStep;
    private int emitted;
    private int names;

    FsxProgram(long seed, int ops, FsxOps kinds) {
        this.random = new SplittableRandom(seed);
        this.ops = ops;
        for (FsxOp op : kinds.asSet()) {
            for (int i = 0; i < WEIGHT[op.ordinal()]; i++) {
                choices.add(op);
            }
        }
    }

    private static int[] weights() {
        int[] w = new int[FsxOp.values().length];
        Arrays.fill(w, 1);
        w[FsxOp.WRITE.ordinal()] = 4;
        w[FsxOp.SUB_BLOCK_WRITE.ordinal()] = 2;
        w[FsxOp.EXTENDING_WRITE.ordinal()] = 2;
        w[FsxOp.READ.ordinal()] = 2;
        w[FsxOp.DSYNC_WRITE.ordinal()] = 2;
        return w;
    }

    @Override
    public Op next(Model model, Geometry g) {
        if (setupStep < g.files()) {
            return new Op.Create("/f" + setupStep++);
        }
        if (setupStep == g.files()) {
            setupStep++;
            return new Op.Sync();
        }
        if (emitted >= ops || choices.isEmpty()) {
            return null;
        }
        emitted++;
        // A kind that does not fit the state (nothing to clone yet, a single file to unlink) is drawn again.
        for (int attempt = 0; attempt < 32; attempt++) {
            Op op = make(choices.get(random.nextInt(choices.size())), model, g);
            if (op != null) {
                return op;
            }
        }
        return new Op.Read(model.paths().get(0), 0, g.logicalBlockSize());
    }

    private Op make(FsxOp kind, Model model, Geometry g) {
        List<String> paths = model.paths();
        if (paths.isEmpty()) {
            return kind == FsxOp.CREATE ? new Op.Create(freshName()) : null;
        }
        String path = paths.get(random.nextInt(paths.size()));
        long size = model.size(path);
        int bs = g.blockSize();
        int lbs = g.logicalBlockSize();
        long max = g.maxFileSize();
        long blocks = max / bs;
        return switch (kind) {
            case WRITE, DSYNC_WRITE -> {
                long first = random.nextLong(blocks);
                long count = 1 + random.nextLong(Math.min(16, blocks - first));
                yield new Op.Write(path, first * bs, count * bs, kind == FsxOp.DSYNC_WRITE);
            }
            case SUB_BLOCK_WRITE -> {
                int perBlock = bs / lbs;
                long offset = random.nextLong(blocks) * bs + (perBlock > 1 ? (1 + random.nextInt(perBlock - 1))
                        * (long) lbs : 0);
                long length = Math.min((1 + random.nextInt(Math.max(1, 2 * perBlock - 1))) * (long) lbs,
                        max - offset);
                yield new Op.Write(path, offset, length, false);
            }
            case EXTENDING_WRITE -> {
                long offset = g.roundUp(size, lbs) + (random.nextBoolean() ? 0 : (1 + random.nextInt(3)) * (long) bs);
                long length = (1 + random.nextInt(4)) * (long) bs;
                yield offset + length > max ? null : new Op.Write(path, offset, length, false);
            }
            case READ -> {
                long offset = random.nextLong(max / lbs) * lbs;
                yield new Op.Read(path, offset, Math.min((1 + random.nextInt(64)) * (long) lbs, max - offset));
            }
            case TRUNCATE -> new Op.Truncate(path, random.nextLong(max / lbs + 1) * lbs);
            case FALLOCATE, FALLOCATE_KEEP_SIZE, PUNCH_HOLE, ZERO_RANGE -> {
                long offset = random.nextLong(max / lbs) * lbs;
                long length = Math.min((1 + random.nextInt(4 * bs / lbs)) * (long) lbs, max - offset);
                int mode = switch (kind) {
                    case FALLOCATE -> 0;
                    case FALLOCATE_KEEP_SIZE -> Inode.FALLOC_KEEP_SIZE;
                    case PUNCH_HOLE -> Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE;
                    default -> Inode.FALLOC_ZERO_RANGE;
                };
                yield new Op.Fallocate(path, mode, offset, length);
            }
            case CLONE -> clone(model, paths, g);
            case RING_WRITES -> ringWrites(path, g);
            case FSYNC, FDATASYNC -> new Op.Fsync(path, kind == FsxOp.FDATASYNC);
            case SYNC -> new Op.Sync();
            case CREATE -> paths.size() < 2 * g.files() + 2 ? new Op.Create(freshName()) : null;
            case RENAME -> {
                if (paths.size() > 1 && random.nextBoolean()) {
                    String other = paths.get(random.nextInt(paths.size()));
                    yield other.equals(path) ? null : new Op.Rename(path, other);
                }
                yield new Op.Rename(path, freshName());
            }
            case UNLINK -> {
                List<String> names = model.names();
                if (names.size() > paths.size()) {
                    // Symbolic links exist (POSIX op sets only): any name may go.
                    String victim = names.get(random.nextInt(names.size()));
                    yield model.kind(victim) == FileKind.SYMLINK || paths.size() > 1 ? new Op.Unlink(victim) : null;
                }
                yield paths.size() > 1 ? new Op.Unlink(path) : null;
            }
            case LINK -> model.names().size() < 3 * g.files() + 4 ? new Op.Link(path, freshName()) : null;
            case SYMLINK -> model.names().size() - paths.size() < g.files() + 1
                    ? new Op.Symlink(symlinkTarget(model), freshName()) : null;
            case CHMOD -> new Op.Chmod(path, random.nextInt(FileStat.MODE_MASK + 1));
            case CHOWN -> new Op.Chown(path, IDS[random.nextInt(IDS.length)], IDS[random.nextInt(IDS.length)]);
            case UTIMENS -> new Op.Utimens(path, FUTURE_NS + random.nextLong(YEAR_NS),
                    PAST_NS + random.nextLong(20 * YEAR_NS));
            case RENAME_NOREPLACE -> {
                List<String> names = model.names();
                String from = names.get(random.nextInt(names.size()));
                if (names.size() > 1 && random.nextInt(4) == 0) {
                    String onto = names.get(random.nextInt(names.size()));
                    // Onto an existing name: the workload expects EEXIST and no change.
                    yield onto.equals(from) ? null : new Op.Rename(from, onto, FileSystem.RENAME_NOREPLACE);
                }
                yield new Op.Rename(from, freshName(), FileSystem.RENAME_NOREPLACE);
            }
            case RENAME_EXCHANGE -> {
                List<String> names = model.names();
                String a = names.get(random.nextInt(names.size()));
                String b = names.get(random.nextInt(names.size()));
                yield a.equals(b) ? null : new Op.Rename(a, b, FileSystem.RENAME_EXCHANGE);
            }
        };
    }

    /**
     * A target of 1 to 4095 bytes of UTF-8: the name of a file (relative or absolute), a dangling path, one around
     * the 60 bytes an inode holds inline, or a long one spanning blocks.
     */
    private String symlinkTarget(Model model) {
        List<String> names = model.names();
        return switch (random.nextInt(5)) {
            case 0 -> names.get(random.nextInt(names.size())).substring(1);
            case 1 -> names.get(random.nextInt(names.size()));
            case 2 -> "../nowhere/" + freshName().substring(1);
            case 3 -> randomPath(50 + random.nextInt(21));
            default -> randomPath(100 + random.nextInt(PATH_MAX - 100));
        };
    }

    /** A path of exactly {@code bytes} bytes in UTF-8, with multi-byte characters among its ASCII ones. */
    private String randomPath(int bytes) {
        StringBuilder sb = new StringBuilder();
        int used = 0;
        while (used < bytes) {
            int left = bytes - used;
            String c = PATH_CHARS[random.nextInt(PATH_CHARS.length)];
            int n = c.getBytes(StandardCharsets.UTF_8).length;
            if (n > left) {
                c = "x";
                n = 1;
            }
            sb.append(c);
            used += n;
        }
        return sb.toString();
    }

    /** 2..8 block-aligned ranges of 1..4 blocks, none overlapping another (their order of completion is free). */
    private Op ringWrites(String path, Geometry g) {
        int bs = g.blockSize();
        long blocks = g.maxFileSize() / bs;
        BitSet used = new BitSet();
        List<Op.Range> ranges = new ArrayList<>();
        int wanted = 2 + random.nextInt(7);
        for (int attempt = 0; attempt < 4 * wanted && ranges.size() < wanted; attempt++) {
            int count = 1 + random.nextInt(4);
            int first = (int) random.nextLong(Math.max(1, blocks - count + 1));
            if (first + count <= blocks && used.get(first, first + count).isEmpty()) {
                used.set(first, first + count);
                ranges.add(new Op.Range((long) first * bs, (long) count * bs));
            }
        }
        return ranges.isEmpty() ? null : new Op.RingWrites(path, ranges);
    }

    /** Whole blocks of a source's data, to a block-aligned place in a target that does not overlap the source. */
    private Op clone(Model model, List<String> paths, Geometry g) {
        int bs = g.blockSize();
        String source = paths.get(random.nextInt(paths.size()));
        String target = paths.get(random.nextInt(paths.size()));
        long sourceBlocks = model.size(source) / bs;
        if (sourceBlocks == 0) {
            return null;
        }
        long first = random.nextLong(sourceBlocks);
        long count = 1 + random.nextLong(Math.min(8, sourceBlocks - first));
        long maxBlocks = g.maxFileSize() / bs;
        if (count > maxBlocks) {
            return null;
        }
        long at = random.nextLong(maxBlocks - count + 1);
        // Within one file (one name, or two hard links to it) the ranges must not overlap: clone answers EINVAL.
        if (model.sameFile(source, target) && at < first + count && first < at + count) {
            return null;
        }
        return new Op.Clone(source, first * bs, target, at * bs, count * bs);
    }

    private String freshName() {
        return "/n" + names++;
    }
}
