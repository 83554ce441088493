package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.core.vfs.FallocateRules;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file opened for direct I/O, with the open-time flags every request inherits (O_DSYNC, O_SYNC). The blocking
 * methods here are the {@code pread}/{@code pwrite} of the engine; asynchronous I/O goes through an
 * {@link io.jiomap.core.ring.IoRing}.
 */
public final class OpenFile implements AutoCloseable {
    /** Create the file if it does not exist (O_CREAT). */
    public static final int CREATE = 1;
    /** With CREATE, fail if it exists (O_EXCL). */
    public static final int EXCLUSIVE = 1 << 1;
    /** Every write is a data-sync write (O_DSYNC). */
    public static final int DSYNC = 1 << 8;
    /** Every write is a full-sync write (O_SYNC). */
    public static final int SYNC = 1 << 9;

    private final Mount mount;
    private final Inode inode;
    private final String path;
    private final int iocbFlags;
    private final AtomicBoolean closed = new AtomicBoolean();

    OpenFile(Mount mount, Inode inode, String path, int openFlags) {
        this.mount = mount;
        this.inode = inode;
        this.path = path;
        int f = 0;
        if ((openFlags & SYNC) != 0) {
            f |= Iocb.SYNC | Iocb.DSYNC;
        } else if ((openFlags & DSYNC) != 0) {
            f |= Iocb.DSYNC;
        }
        this.iocbFlags = f;
    }

    public Inode inode() {
        return inode;
    }

    public String path() {
        return path;
    }

    public Mount mount() {
        return mount;
    }

    /** The iocb flags every request on this file starts with. */
    public int iocbFlags() {
        return iocbFlags;
    }

    public long size() {
        return inode.size();
    }

    /** Writes {@code length} bytes at {@code position}, waiting for completion. @return bytes written */
    public long pwrite(MemorySegment buffer, long bufferOffset, long length, long position) throws JiomapException {
        return rw(true, buffer, bufferOffset, length, position);
    }

    /** Reads up to {@code length} bytes at {@code position}; fewer at end of file. @return bytes read */
    public long pread(MemorySegment buffer, long bufferOffset, long length, long position) throws JiomapException {
        return rw(false, buffer, bufferOffset, length, position);
    }

    private long rw(boolean write, MemorySegment buffer, long bufferOffset, long length, long position)
            throws JiomapException {
        Iocb iocb = new Iocb().set(inode, position, iocbFlags | (write ? Iocb.WRITE : 0), null);
        long r = write ? inode.write(iocb, buffer, bufferOffset, length) : inode.read(iocb, buffer, bufferOffset,
                length);
        if (r < 0) {
            throw failure((int) -r, write ? "pwrite" : "pread", buffer, bufferOffset, length, position);
        }
        return r;
    }

    /**
     * The exception for a failed request, saying what was wrong in terms a user can act on (for EINVAL: which
     * alignment the request broke).
     */
    public JiomapException failure(int errno, String op, MemorySegment buffer, long bufferOffset, long length,
                                   long position) {
        String what = op + " " + path + " at " + position + " length " + length;
        if (errno == Errno.EINVAL) {
            String why = mount.directIo().misalignment(position, buffer, bufferOffset, length);
            if (why != null) {
                return new JiomapException(errno, what + ": " + why);
            }
        }
        if (errno == Errno.EFAULT) {
            return new JiomapException(errno, what + ": the device could not access the buffer; buffer memory must "
                    + "be usable from the device's completion thread (a shared or global arena, not a confined one)");
        }
        return new JiomapException(errno, what + ": " + Errno.describe(errno));
    }

    /**
     * Metadata operations through a file of an unmounted filesystem are refused, as reads and writes are: a handle
     * kept across an unmount (a bundle update, say) must not reach a filesystem instance whose device another mount
     * now owns.
     */
    private void requireMounted(String op) throws JiomapException {
        if (mount.isClosed()) {
            throw new JiomapException(Errno.ESHUTDOWN, op + " " + path + ": the filesystem on "
                    + mount.device().name() + " is unmounted");
        }
    }

    /** fsync ({@code datasync=false}) or fdatasync. */
    public void fsync(boolean datasync) throws JiomapException {
        requireMounted(datasync ? "fdatasync" : "fsync");
        Errno.check(inode.fsync(0, Long.MAX_VALUE, datasync), (datasync ? "fdatasync " : "fsync ") + path);
    }

    public void truncate(long size) throws JiomapException {
        requireMounted("truncate");
        Errno.check(inode.truncate(size), "truncate " + path + " to " + size);
    }

    public void fallocate(int mode, long offset, long length) throws JiomapException {
        requireMounted("fallocate");
        String what = "fallocate " + path + " mode 0x" + Integer.toHexString(mode) + " [" + offset + ", "
                + (offset + length) + ")";
        FallocateRules.check(mode, offset, length, what);
        Errno.check(inode.fallocate(mode, offset, length), what);
    }

    public FileStat stat() {
        return inode.stat();
    }

    /** The extents covering {@code [start, start+length)}, as FIEMAP reports them. */
    public List<FileExtent> fiemap(long start, long length) {
        return inode.fiemap(start, length);
    }

    /** Shares {@code source}'s blocks at {@code [srcOffset, srcOffset+length)} into this file at {@code dstOffset}. */
    public void cloneFrom(OpenFile source, long srcOffset, long dstOffset, long length) throws JiomapException {
        requireMounted("clone");
        Errno.check(inode.cloneRange(source.inode, srcOffset, dstOffset, length), "clone " + source.path + " ["
                + srcOffset + ", " + (srcOffset + length) + ") to " + path + " at " + dstOffset);
    }

    /**
     * Ends this open of the inode ({@code release}); the last close of a file without names frees it. Closing again
     * does nothing, and so does closing after the unmount, which ended every open.
     */
    @Override
    public void close() throws JiomapException {
        if (closed.compareAndSet(false, true) && !mount.isClosed()) {
            mount.namespace().release(inode);
        }
    }
}
