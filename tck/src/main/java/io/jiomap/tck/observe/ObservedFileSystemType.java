package io.jiomap.tck.observe;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsSignature;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Optional;

/**
 * A filesystem type that is the one under test, except that the direct-I/O engine it gets at mount records the
 * {@code iomap_begin}, {@code iomap_end} and {@code end_io} calls the engine makes into the filesystem. The
 * filesystem, its inodes and its locks are the real ones (only the engine handle is interposed), so inode identity
 * and draining are untouched; the engine is the real one too, it just calls the filesystem through recorders.
 *
 * <p>The recorders are allocated per request: this is a test harness, not the hot path.
 */
public final class ObservedFileSystemType implements FileSystemType {
    private final FileSystemType delegate;
    private final DioCallLog log;
    private final EndIoFault endIoFault = new EndIoFault();

    public ObservedFileSystemType(FileSystemType delegate, DioCallLog log) {
        this.delegate = delegate;
        this.log = log;
    }

    public FileSystemType delegate() {
        return delegate;
    }

    /**
     * From now on, every direct-write {@code end_io} of inode {@code ino} that the filesystem answers with success is
     * reported to the engine as {@code -errno}: the filesystem's own end_io still runs (conversion, size, copy on
     * write), only its answer is replaced, as a filesystem whose end_io fails after doing its work would answer.
     * This is how the TCK fails end_io on a filesystem that cannot be made to fail it itself.
     */
    public void failEndIo(long ino, int errno) {
        endIoFault.ino = ino;
        endIoFault.errno = Math.abs(errno);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        delegate.mkfs(device, options);
    }

    @Override
    public Map<String, String> mkfsOptionsFor(Map<String, String> mountOptions) {
        return delegate.mkfsOptionsFor(mountOptions);
    }

    @Override
    public boolean probe(BlockDevice device) throws JiomapException {
        return delegate.probe(device);
    }

    @Override
    public Optional<FsSignature> signature(BlockDevice device) throws JiomapException {
        return delegate.signature(device);
    }

    @Override
    public Optional<String> onDiskType(Map<String, String> mountOptions) {
        return delegate.onDiskType(mountOptions);
    }

    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
        return delegate.fsck(device, options);
    }

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        DirectIoEngine engine = new ObservingEngine(context.directIo(), log, endIoFault);
        return delegate.mount(device, new MountContext() {
            @Override
            public DirectIoEngine directIo() {
                return engine;
            }

            @Override
            public Map<String, String> options() {
                return context.options();
            }
        });
    }

    /** Which inode's end_io answers are replaced by which errno (0: none). */
    private static final class EndIoFault {
        volatile long ino;
        volatile int errno;
    }

    private record ObservingEngine(DirectIoEngine engine, DioCallLog log, EndIoFault fault)
            implements DirectIoEngine {
        @Override
        public long rw(Iocb iocb, MemorySegment buffer, long bufferOffset, long length, IomapOps ops, DioOps dops,
                       int dioFlags, Object fsPrivate, long doneBefore) {
            return engine.rw(iocb, buffer, bufferOffset, length, new ObservedOps(ops, log),
                    dops == null ? null : new ObservedDops(dops, log, fault), dioFlags, fsPrivate, doneBefore);
        }
    }

    private record ObservedOps(IomapOps ops, DioCallLog log) implements IomapOps {
        @Override
        public int begin(IomapIter iter) {
            int r = ops.begin(iter);
            log.add(IomapCall.ofBegin(iter.inode().ino(), iter.pos(), iter.length(), iter.flags(), r, iter.iomap(),
                    iter.srcmap()));
            return r;
        }

        @Override
        public int end(IomapIter iter) {
            int r = ops.end(iter);
            log.add(IomapCall.ofEnd(iter.inode().ino(), iter.pos(), iter.mappedLength(), iter.processed(),
                    iter.flags(), r, iter.iomap()));
            return r;
        }
    }

    private record ObservedDops(DioOps dops, DioCallLog log, EndIoFault fault) implements DioOps {
        @Override
        public long endIo(IomapIter iter, long size, int error, int flags) {
            Iocb iocb = iter.iocb();
            long position = iocb.position();
            long r = dops.endIo(iter, size, error, flags);
            int errno = fault.errno;
            if (errno != 0 && r >= 0 && iocb.inode().ino() == fault.ino) {
                r = -errno;
            }
            log.add(new EndIoCall(iocb.inode().ino(), position, size, error, flags, r,
                    Thread.currentThread().getName()));
            return r;
        }
    }
}
