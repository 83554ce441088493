package io.jiomap.cli.xfsio;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * An xfs_io for a file inside a mounted jiomap filesystem: the same command names, options and output lines
 * (wrote/read/linked with their rate line, fiemap tables, stat and statfs fields), so traces can be run through
 * both and compared. Like xfs_io, a failed command prints an error, sets the exit status to 1 and the next command
 * still runs.
 *
 * <p>jiomap has only the direct-I/O path, no page cache. A file opened without {@code -d} is therefore served by
 * emulated buffered I/O: each request is widened to whole filesystem blocks, read, patched and written back
 * through the direct path, and the size trimmed to what a buffered write would leave, so unaligned offsets work as
 * they do in xfs_io without {@code -d}. With {@code -d} requests go to the direct path as they are, and misaligned
 * ones fail with EINVAL naming the alignment.
 */
public final class XfsIo implements AutoCloseable {
    private static final int DEFAULT_BLOCK = 4096;
    private static final int DEFAULT_SEED = 0xcdcdcdcd;
    private static final int ALIGN = 4096;

    private final Mount mount;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Arena arena = Arena.ofShared();
    private MemorySegment buffer = MemorySegment.NULL;
    private MemorySegment bounceBuffer = MemorySegment.NULL;
    private OpenFile file;
    private String path;
    private boolean direct;
    private boolean readOnly;
    private int syncFlags;
    private int exitCode;

    public XfsIo(Mount mount, PrintWriter out, PrintWriter err) {
        this.mount = mount;
        this.out = out;
        this.err = err;
    }

    /** 0, or 1 once any command failed. */
    public int exitCode() {
        return exitCode;
    }

    /** Runs one command line, as {@code -c} gives it. */
    public void run(String commandLine) {
        List<String> words;
        try {
            words = split(commandLine);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
            return;
        }
        if (words.isEmpty()) {
            return;
        }
        String cmd = words.getFirst();
        List<String> args = words.subList(1, words.size());
        StringBuilder text = new StringBuilder();
        try {
            switch (cmd) {
                case "open" -> open(args);
                case "close" -> file = null;
                case "pwrite" -> pwrite(args, text);
                case "pread" -> pread(args, text);
                case "falloc" -> falloc(args);
                case "fpunch" -> fallocate("fpunch", Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE, args);
                case "fzero" -> fzero(args);
                case "fcollapse" -> fallocate("fcollapse", Inode.FALLOC_COLLAPSE_RANGE, args);
                case "finsert" -> fallocate("finsert", Inode.FALLOC_INSERT_RANGE, args);
                case "funshare" -> fallocate("funshare", Inode.FALLOC_UNSHARE_RANGE | Inode.FALLOC_KEEP_SIZE, args);
                case "truncate" -> truncate(args);
                case "fsync" -> sync("fsync", false);
                case "fdatasync" -> sync("fdatasync", true);
                case "sync", "syncfs" -> mount.fileSystem().sync();
                case "reflink" -> reflink(args, text);
                case "fiemap" -> fiemap(args, text);
                case "stat" -> stat(text);
                case "statfs" -> statfs(text);
                case "help" -> help(text);
                case "quit", "q" -> {
                }
                default -> throw new IllegalArgumentException("command \"" + cmd + "\" not found");
            }
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        } catch (JiomapException e) {
            fail(label(cmd) + ": " + Errno.describe(e.errno()) + " (" + e.getMessage() + ")");
        }
        out.print(text);
        out.flush();
    }

    private void fail(String message) {
        out.flush();
        err.println(message);
        err.flush();
        exitCode = 1;
    }

    /** The name xfs_io puts before an error: the system call or ioctl that failed. */
    private static String label(String cmd) {
        return switch (cmd) {
            case "falloc", "fpunch", "fzero", "fcollapse", "finsert", "funshare" -> "fallocate";
            case "truncate" -> "ftruncate";
            case "reflink" -> "XFS_IOC_CLONE_RANGE";
            case "fiemap" -> "ioctl(FS_IOC_FIEMAP)";
            default -> cmd;
        };
    }

    // ---- open ----

    /** {@code open [-f] [-d] [-D] [-s] [-r] path}: makes {@code path} the current file. */
    public void open(List<String> args) throws JiomapException {
        Getopt o = new Getopt("open", args, "fdDsrt");
        if (o.operands().size() != 1) {
            throw new IllegalArgumentException("open: usage: open [-fdDsr] path");
        }
        String p = o.operands().getFirst();
        int flags = o.has('f') ? OpenFile.CREATE : 0;
        int sync = o.has('s') ? OpenFile.SYNC : o.has('D') ? OpenFile.DSYNC : 0;
        try {
            file = mount.open(p, flags | sync);
        } catch (JiomapException e) {
            throw new JiomapException(e.errno(), p + ": " + Errno.describe(e.errno()) + " (" + e.getMessage() + ")");
        }
        path = p;
        direct = o.has('d');
        readOnly = o.has('r');
        syncFlags = sync;
    }

    private OpenFile file() {
        if (file == null) {
            throw new IllegalArgumentException("no file is open (use open PATH)");
        }
        return file;
    }

    // ---- data ----

    private void pwrite(List<String> args, StringBuilder text) throws JiomapException {
        Getopt o = new Getopt("pwrite", args, "b:S:qwW");
        List<String> ops = o.operands();
        if (ops.size() != 2) {
            throw new IllegalArgumentException("pwrite: usage: pwrite [-b bsize] [-S seed] [-qwW] off len");
        }
        OpenFile f = file();
        if (readOnly) {
            throw new JiomapException(Errno.EBADF, path + " is open read-only");
        }
        long offset = number(ops.get(0));
        long length = number(ops.get(1));
        int bsize = o.has('b') ? (int) number(o.value('b')) : DEFAULT_BLOCK;
        int seed = o.has('S') ? (int) number(o.value('S')) : DEFAULT_SEED;
        if (bsize <= 0) {
            throw new IllegalArgumentException("pwrite: invalid block size " + o.value('b'));
        }
        MemorySegment buf = buffer(bsize);
        buf.asSlice(0, bsize).fill((byte) seed);
        long start = System.nanoTime();
        long done = 0;
        long ops1 = 0;
        while (done < length) {
            int n = (int) Math.min(bsize, length - done);
            long w = direct ? f.pwrite(buf, 0, n, offset + done) : bufferedWrite(f, buf, n, offset + done);
            ops1++;
            done += w;
            if (w < n) {
                break;
            }
        }
        if (o.has('w')) {
            f.fsync(true);
        }
        if (o.has('W')) {
            f.fsync(false);
        }
        long nanos = System.nanoTime() - start;
        if (!o.has('q')) {
            text.append("wrote ").append(done).append('/').append(length).append(" bytes at offset ").append(offset)
                    .append('\n').append(IoFormat.rates(done, ops1, nanos)).append('\n');
        }
    }

    private void pread(List<String> args, StringBuilder text) throws JiomapException {
        Getopt o = new Getopt("pread", args, "b:qv");
        List<String> ops = o.operands();
        if (ops.size() != 2) {
            throw new IllegalArgumentException("pread: usage: pread [-b bsize] [-qv] off len");
        }
        OpenFile f = file();
        long offset = number(ops.get(0));
        long length = number(ops.get(1));
        int bsize = o.has('b') ? (int) number(o.value('b')) : DEFAULT_BLOCK;
        if (bsize <= 0) {
            throw new IllegalArgumentException("pread: invalid block size " + o.value('b'));
        }
        MemorySegment buf = buffer(bsize);
        long start = System.nanoTime();
        long done = 0;
        long ops1 = 0;
        StringBuilder dump = new StringBuilder();
        while (done < length) {
            int n = (int) Math.min(bsize, length - done);
            long r = direct ? f.pread(buf, 0, n, offset + done) : bufferedRead(f, buf, n, offset + done);
            if (r <= 0) {
                break;
            }
            ops1++;
            if (o.has('v')) {
                IoFormat.dump(dump, buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE), (int) r, offset + done);
            }
            done += r;
            if (r < n) {
                break;
            }
        }
        long nanos = System.nanoTime() - start;
        text.append(dump);
        if (!o.has('q')) {
            text.append("read ").append(done).append('/').append(length).append(" bytes at offset ").append(offset)
                    .append('\n').append(IoFormat.rates(done, ops1, nanos)).append('\n');
        }
    }

    /**
     * A buffered write emulated on the direct path: the whole blocks around {@code [pos, pos+n)} are read (zeros past
     * EOF), patched and written back, then the size is put back to what a buffered write leaves, max(old, pos+n).
     */
    private long bufferedWrite(OpenFile f, MemorySegment src, int n, long pos) throws JiomapException {
        int bs = mount.fileSystem().blockSize();
        long from = Math.floorDiv(pos, bs) * bs;
        long to = Math.ceilDiv(pos + n, (long) bs) * bs;
        long oldSize = f.size();
        MemorySegment bounce = bounce(to - from);
        long have = f.pread(bounce, 0, to - from, from);
        bounce.asSlice(have, to - from - have).fill((byte) 0);
        MemorySegment.copy(src, 0, bounce, pos - from, n);
        f.pwrite(bounce, 0, to - from, from);
        long newSize = Math.max(oldSize, pos + n);
        if (f.size() > newSize) {
            f.truncate(newSize);
        }
        return n;
    }

    /** A buffered read emulated on the direct path: whole blocks are read and the asked bytes copied out. */
    private long bufferedRead(OpenFile f, MemorySegment dst, int n, long pos) throws JiomapException {
        int bs = mount.fileSystem().blockSize();
        long from = Math.floorDiv(pos, bs) * bs;
        long to = Math.ceilDiv(pos + n, (long) bs) * bs;
        MemorySegment bounce = bounce(to - from);
        long have = f.pread(bounce, 0, to - from, from);
        long r = Math.max(0, Math.min(n, have - (pos - from)));
        MemorySegment.copy(bounce, pos - from, dst, 0, r);
        return r;
    }

    private MemorySegment bounce(long size) {
        if (bounceBuffer.byteSize() < size) {
            bounceBuffer = arena.allocate(size, ALIGN);
        }
        return bounceBuffer;
    }

    private MemorySegment buffer(int size) {
        if (buffer.byteSize() < size) {
            buffer = arena.allocate(size, ALIGN);
        }
        return buffer;
    }

    // ---- space ----

    private void falloc(List<String> args) throws JiomapException {
        Getopt o = new Getopt("falloc", args, "k");
        fallocate("falloc", o.has('k') ? Inode.FALLOC_KEEP_SIZE : 0, o.operands());
    }

    private void fzero(List<String> args) throws JiomapException {
        Getopt o = new Getopt("fzero", args, "k");
        fallocate("fzero", Inode.FALLOC_ZERO_RANGE | (o.has('k') ? Inode.FALLOC_KEEP_SIZE : 0), o.operands());
    }

    private void fallocate(String cmd, int mode, List<String> ops) throws JiomapException {
        if (ops.size() != 2) {
            throw new IllegalArgumentException(cmd + ": usage: " + cmd + " off len");
        }
        file().fallocate(mode, number(ops.get(0)), number(ops.get(1)));
    }

    private void truncate(List<String> args) throws JiomapException {
        if (args.size() != 1) {
            throw new IllegalArgumentException("truncate: usage: truncate off");
        }
        file().truncate(number(args.getFirst()));
    }

    private void sync(String cmd, boolean datasync) throws JiomapException {
        file().fsync(datasync);
    }

    private void reflink(List<String> args, StringBuilder text) throws JiomapException {
        Getopt o = new Getopt("reflink", args, "q");
        List<String> ops = o.operands();
        if (ops.size() != 1 && ops.size() != 4) {
            throw new IllegalArgumentException("reflink: usage: reflink infile [src_off dst_off len]");
        }
        OpenFile f = file();
        OpenFile src;
        try {
            src = mount.open(ops.getFirst(), 0);
        } catch (JiomapException e) {
            throw new IllegalArgumentException(ops.getFirst() + ": " + Errno.describe(e.errno()));
        }
        long srcOff = ops.size() == 4 ? number(ops.get(1)) : 0;
        long dstOff = ops.size() == 4 ? number(ops.get(2)) : 0;
        long len = ops.size() == 4 ? number(ops.get(3)) : src.size();
        long start = System.nanoTime();
        f.cloneFrom(src, srcOff, dstOff, len);
        long nanos = System.nanoTime() - start;
        if (!o.has('q')) {
            text.append("linked ").append(len).append('/').append(len).append(" bytes at offset ").append(dstOff)
                    .append('\n').append(IoFormat.rates(len, 1, nanos)).append('\n');
        }
    }

    // ---- reports ----

    private void fiemap(List<String> args, StringBuilder text) {
        Getopt o = new Getopt("fiemap", args, "vln:");
        OpenFile f = file();
        List<String> ops = o.operands();
        long start = ops.isEmpty() ? 0 : number(ops.get(0));
        long length = ops.size() > 1 ? number(ops.get(1)) : Long.MAX_VALUE - start;
        List<FileExtent> extents = f.fiemap(start, length);
        FiemapTable.print(text, path, extents, start, start + length, f.size(), o.has('v'));
    }

    private void stat(StringBuilder text) {
        OpenFile f = file();
        FileStat st = f.stat();
        text.append("fd.path = \"").append(path).append("\"\n");
        text.append("fd.flags = ").append(syncFlags != 0 ? "sync" : "non-sync").append(',')
                .append(direct ? "direct" : "non-direct").append(',').append(readOnly ? "read-only" : "read-write")
                .append('\n');
        text.append("stat.ino = ").append(st.ino()).append('\n');
        text.append("stat.type = ").append(st.kind() == FileKind.DIRECTORY ? "directory" : "regular file").append('\n');
        text.append("stat.size = ").append(st.size()).append('\n');
        text.append("stat.blocks = ").append(st.allocatedBytes() / 512).append('\n');
        text.append("fsxattr.nextents = ").append(st.extents()).append('\n');
    }

    private void statfs(StringBuilder text) throws JiomapException {
        FsStat st = mount.fileSystem().statfs();
        text.append("fd.path = \"").append(path == null ? "/" : path).append("\"\n");
        text.append("statfs.f_bsize = ").append(st.blockSize()).append('\n');
        text.append("statfs.f_blocks = ").append(st.totalBlocks()).append('\n');
        text.append("statfs.f_bavail = ").append(st.freeBlocks()).append('\n');
        text.append("statfs.f_files = ").append(st.totalInodes()).append('\n');
        text.append("statfs.f_ffree = ").append(st.freeInodes()).append('\n');
    }

    private static void help(StringBuilder text) {
        text.append("""
                close -- close the current open file
                falloc [-k] off len -- allocates space associated with part of a file via fallocate
                fcollapse off len -- de-allocates space and eliminates the hole by shifting extents
                fdatasync -- calls fdatasync(2) to flush the files in-core data to disk
                fiemap [-v] [offset [len]] -- print block mapping for a file
                finsert off len -- creates new space for writing within file by shifting extents
                fpunch off len -- de-allocates space associated with part of a file via fallocate
                fsync -- calls fsync(2) to flush all in-core file state to disk
                funshare off len -- unshares shared blocks within file
                fzero [-k] off len -- zeroes space and eliminates holes by preallocating
                open [-fdDsr] path -- open the file specified by path (-f create, -d direct, -D dsync, -s sync, -r read-only)
                pread [-b bs] [-qv] off len -- reads a number of bytes at a specified offset
                pwrite [-b bs] [-S seed] [-qwW] off len -- writes a number of bytes at a specified offset
                quit -- exit the program
                reflink infile [src_off dst_off len] -- reflinks an entire file, or a number of bytes at a specified offset
                stat -- statistics on the currently open file
                statfs -- statistics on the filesystem of the currently open file
                sync -- flush all in-core filesystem state to disk (syncfs)
                truncate off -- truncates the current file at the given offset
                """);
    }

    private long number(String text) {
        long v = IoFormat.number(text, mount.fileSystem().blockSize());
        if (v < 0) {
            throw new IllegalArgumentException("non-numeric argument -- " + text);
        }
        return v;
    }

    /** Splits a command line at blanks; single or double quotes keep blanks inside one word. */
    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }

    /** Frees the buffers. The mount stays the caller's. */
    @Override
    public void close() {
        file = null;
        arena.close();
    }
}
