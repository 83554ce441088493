package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.SyncBio;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.FlatNamespace;
import io.jiomap.api.vfs.FsStat;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.api.iomap.DioOps;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.api.iomap.Iomap;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.api.iomap.IomapOps;
import io.jiomap.api.iomap.IomapType;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A one-file filesystem for the core's tests: the root directory holds the file {@value #FILE_NAME}, everything
 * MAPPED, end_io records the thread it ran on.
 */
final class MiniFs implements FileSystemType {
    static final String FILE_NAME = "f";
    static final long ROOT_INO = 1;
    static final long FILE_INO = 2;

    final List<String> endIoThreads = new CopyOnWriteArrayList<>();
    /** When set, mappings end at multiples of this many bytes, so one request spans several. */
    volatile long mappingBytes;

    @Override
    public String name() {
        return "mini";
    }

    @Override
    public String description() {
        return "test";
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) {
    }

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) {
        return new Fs(device, context.directIo());
    }

    @Override
    public boolean probe(BlockDevice device) {
        return false;
    }

    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) {
        return new FsckReport("mini", List.of(), List.of("no metadata"));
    }

    final class Fs implements FlatNamespace {
        final BlockDevice device;
        final File file;

        Fs(BlockDevice device, DirectIoEngine dio) {
            this.device = device;
            this.file = new File(this, dio);
        }

        @Override
        public long rootIno() {
            return ROOT_INO;
        }

        @Override
        public String typeName() {
            return "mini";
        }

        @Override
        public BlockDevice device() {
            return device;
        }

        @Override
        public int blockSize() {
            return 4096;
        }

        @Override
        public long lookup(long dir, String name) throws JiomapException {
            requireRoot(dir);
            return name.equals(FILE_NAME) ? FILE_INO : 0;
        }

        @Override
        public long parent(long dir) throws JiomapException {
            requireRoot(dir);
            return ROOT_INO;
        }

        @Override
        public FileStat getattr(long ino) throws JiomapException {
            if (ino == ROOT_INO) {
                return new FileStat(ROOT_INO, 0, FileKind.DIRECTORY, 0755, 0, 0, 2, 0, 0, 4096, 0, 0, 0, 0);
            }
            if (ino == FILE_INO) {
                return file.stat();
            }
            throw new JiomapException(Errno.ENOENT, "mini has no inode " + ino);
        }

        @Override
        public List<DirEntry> readdir(long dir, String after, int max) throws JiomapException {
            requireRoot(dir);
            return after == null ? List.of(new DirEntry(FILE_NAME, FILE_INO, FileKind.REGULAR)) : List.of();
        }

        @Override
        public Inode open(long ino) throws JiomapException {
            if (ino != FILE_INO) {
                throw new JiomapException(Errno.EISDIR, "mini: only inode " + FILE_INO + " is a file");
            }
            return file;
        }

        @Override
        public void release(Inode inode) {
        }

        @Override
        public void unmount() throws JiomapException {
            file.dio().waitForDrain();
        }

        private void requireRoot(long dir) throws JiomapException {
            if (dir != ROOT_INO) {
                throw new JiomapException(dir == FILE_INO ? Errno.ENOTDIR : Errno.ENOENT,
                        "mini: inode " + dir + " is not its directory");
            }
        }

        @Override
        public FsStat statfs() {
            return new FsStat(4096, device.capabilities().capacityBytes() / 4096, 0, 1, 0);
        }

        @Override
        public void sync() {
            SyncBio.flush(device);
        }
    }

    final class File extends Inode implements IomapOps, DioOps {
        final Fs fs;
        final DirectIoEngine dio;

        File(Fs fs, DirectIoEngine dio) {
            this.fs = fs;
            this.dio = dio;
        }

        @Override
        public FileSystem fileSystem() {
            return fs;
        }

        @Override
        public long ino() {
            return FILE_INO;
        }

        @Override
        public long size() {
            return fs.device.capabilities().capacityBytes();
        }

        @Override
        public int begin(IomapIter iter) {
            long pos = iter.pos();
            long length = iter.length();
            Iomap iomap = iter.iomap();
            long len = Math.min(length, size() - pos);
            if (mappingBytes > 0) {
                len = Math.min(len, mappingBytes - pos % mappingBytes);
            }
            iomap.set(pos, len, pos, IomapType.MAPPED, 0);
            return 0;
        }

        @Override
        public long endIo(IomapIter iter, long size, int error, int flags) {
            endIoThreads.add(Thread.currentThread().getName());
            return error == 0 ? 0 : -error;
        }

        @Override
        public long read(Iocb iocb, MemorySegment buffer, long offset, long length) {
            return dio.rw(iocb, buffer, offset, length, this, this, 0, null, 0);
        }

        @Override
        public long write(Iocb iocb, MemorySegment buffer, long offset, long length) {
            return dio.rw(iocb, buffer, offset, length, this, this, 0, null, 0);
        }

        @Override
        public int fsync(long start, long end, boolean datasync) {
            return SyncBio.flush(fs.device);
        }

        @Override
        public int truncate(long size) {
            dio().waitForDrain();
            return 0;
        }

        @Override
        public int fallocate(int mode, long offset, long length) {
            dio().waitForDrain();
            return 0;
        }

        @Override
        public FileStat stat() {
            return new FileStat(FILE_INO, 0, FileKind.REGULAR, 0644, 0, 0, 1, size(), size(), 4096, 1, 0, 0, 0);
        }

        @Override
        public List<FileExtent> fiemap(long start, long length) {
            return List.of(new FileExtent(0, 0, size(), FileExtent.LAST));
        }
    }
}
