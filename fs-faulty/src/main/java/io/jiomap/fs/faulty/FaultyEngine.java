package io.jiomap.fs.faulty;

import io.jiomap.api.Errno;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The core's direct-I/O engine as the inner filesystem gets it at mount, with the faults of one mount in the way:
 * every {@code rw} call passes on the filesystem's own {@link IomapOps} and {@link DioOps} wrapped, so the faults act
 * exactly where the kernel's iomap would call the filesystem. The filesystem, its inodes and its locks stay the
 * inner ones, so inode identity and draining (docs/design-rules.md, "Rule 1") are untouched.
 *
 * <p>Without faults the engine passes every call through unchanged. With faults each request allocates its two
 * small wrappers: this is a fault injector, not the hot path.
 */
final class FaultyEngine implements DirectIoEngine {
    private final DirectIoEngine engine;
    private final List<Fault> faults;
    /** For each {@code @/path} fault: the inode numbers of the files opened under that path. */
    private final Map<String, Set<Long>> watched = new ConcurrentHashMap<>();

    FaultyEngine(DirectIoEngine engine, List<Fault> faults) {
        this.engine = engine;
        this.faults = faults;
        for (Fault f : faults) {
            if (f.where() instanceof Fault.Where.OnPath(String path)) {
                watched.putIfAbsent(path, ConcurrentHashMap.newKeySet());
            }
        }
    }

    /** The paths of the {@code @/path} faults. */
    Set<String> watchedPaths() {
        return watched.keySet();
    }

    /** Called by {@link FaultyFileSystem#open}: the file under {@code path} is {@code inode}. */
    void opened(String path, Inode inode) {
        Set<Long> inos = watched.get(path);
        if (inos != null) {
            inos.add(inode.ino());
        }
    }

    // tag::faulty-engine[]
    @Override
    public long rw(Iocb iocb, MemorySegment buffer, long bufferOffset, long length, IomapOps ops, DioOps dops,
                   int dioFlags, Object fsPrivate, long doneBefore) {
        if (faults.isEmpty() || !iocb.isWrite()) {
            return engine.rw(iocb, buffer, bufferOffset, length, ops, dops, dioFlags, fsPrivate, doneBefore);
        }
        return engine.rw(iocb, buffer, bufferOffset, length, new FaultyOps(ops), new FaultyDioOps(dops), dioFlags,
                fsPrivate, doneBefore);
    }
    // end::faulty-engine[]

    private boolean hits(Fault f, Fault.Kind kind, Inode inode, long pos, long length) {
        if (f.kind() != kind) {
            return false;
        }
        boolean onPath = f.where() instanceof Fault.Where.OnPath(String path)
                && watched.get(path).contains(inode.ino());
        return f.hits(pos, length, onPath);
    }

    /** Waits at least {@code nanos}: a park may return early, a mapping delay must not. */
    private static void delay(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** The filesystem's mapping callbacks with the begin faults applied. */
    private final class FaultyOps implements IomapOps {
        private final IomapOps ops;

        FaultyOps(IomapOps ops) {
            this.ops = ops;
        }

        // tag::faulty-begin[]
        @Override
        public int begin(IomapIter iter) {
            Inode inode = iter.inode();
            long pos = iter.pos();
            long length = iter.length();
            int flags = iter.flags();
            Iomap iomap = iter.iomap();
            int forced = 0;
            for (Fault f : faults) {
                if (hits(f, Fault.Kind.DELAY_BEGIN, inode, pos, length)) {
                    if ((flags & IomapOps.NOWAIT) != 0) {
                        return -Errno.EAGAIN;   // a filesystem that would block refuses NOWAIT instead
                    }
                    delay(f.value());
                }
                if (hits(f, Fault.Kind.FAIL_BEGIN, inode, pos, length)) {
                    return (int) -f.value();
                }
                if (hits(f, Fault.Kind.FORCE_FLAGS, inode, pos, length)) {
                    forced |= (int) f.value();
                }
            }
            int r = ops.begin(iter);
            if (r == 0) {
                iomap.addFlags(forced);
            }
            return r;
        }
        // end::faulty-begin[]

        @Override
        public int end(IomapIter iter) {
            return ops.end(iter);
        }
    }

    /**
     * The filesystem's end_io (or none: raw passes none) with the end_io faults applied. The inner end_io always
     * runs first, so the inner filesystem's metadata stays as it would be; the fault only changes what the write
     * reports, as a filesystem whose completion transaction failed does.
     */
    private final class FaultyDioOps implements DioOps {
        private final DioOps dops;

        FaultyDioOps(DioOps dops) {
            this.dops = dops;
        }

        @Override
        public long endIo(IomapIter iter, long size, int error, int flags) {
            Iocb iocb = iter.iocb();
            long position = iocb.position();
            long r = dops != null ? dops.endIo(iter, size, error, flags) : error == 0 ? 0 : -error;
            for (Fault f : faults) {
                if (hits(f, Fault.Kind.FAIL_END_IO, iocb.inode(), position, size) && r >= 0) {
                    r = -f.value();
                }
            }
            return r;
        }
    }
}
