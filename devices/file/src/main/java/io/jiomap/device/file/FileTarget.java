package io.jiomap.device.file;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.device.model.Quantity;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the device is opened on: a regular file (created and extended as the options ask) or a block device, with
 * the direct-I/O alignment the kernel reports for it.
 *
 * <p>Alignment comes from statx(STATX_DIOALIGN) ({@code stx_dio_offset_align}, {@code stx_dio_mem_align}, Linux 6.1+),
 * which is what the filesystem really enforces for O_DIRECT. Where it is not reported: a block device's logical
 * sector size (BLKSSZGET), else the filesystem's block size ({@code FileStore.getBlockSize()}), which is a multiple
 * of every alignment the filesystem can demand and so always safe.
 *
 * @param path          absolute path
 * @param blockDevice   whether it is a block device (else a regular file)
 * @param sizeBytes     the file's or device's size after preparation
 * @param offsetAlign   required alignment of file offsets and lengths
 * @param memoryAlign   required alignment of buffer addresses
 * @param fsBlockSize   the filesystem block size ({@code stx_blksize})
 * @param alignSource   where the alignment came from, for messages
 */
record FileTarget(Path path, boolean blockDevice, long sizeBytes, int offsetAlign, int memoryAlign, int fsBlockSize,
                  String alignSource) {

    /**
     * Creates or extends a regular file as {@code config} asks, then reads its geometry.
     *
     * @throws JiomapException ENOENT for a missing file without {@code size}, EINVAL for something that is neither a
     *                         regular file nor a block device, or for {@code size} on a block device, the errno of a
     *                         failed create/extend
     */
    static FileTarget prepare(FileDeviceConfig config) throws JiomapException {
        if (!Libc.IS_LINUX || !Libc.hasStatx()) {
            throw new JiomapException(Errno.EOPNOTSUPP, "the file device needs Linux (O_DIRECT and statx);"
                    + " os.name=" + System.getProperty("os.name"));
        }
        String pathText = config.path().toString();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stx = arena.allocate(Libc.STATX_SIZE_BYTES, 8);
            int r = Libc.statx(pathText, Libc.STATX_TYPE | Libc.STATX_SIZE | Libc.STATX_DIOALIGN, stx);
            if (r == -Errno.ENOENT) {
                if (config.sizeBytes() < 0) {
                    throw new JiomapException(Errno.ENOENT, "file device path " + pathText + " does not exist;"
                            + " give size= to create it, e.g. file:path=" + pathText + ",size=1g");
                }
                resize(pathText, 0, config.sizeBytes(), true);
            } else if (r < 0) {
                throw new JiomapException(-r, "statx " + pathText);
            } else {
                int type = Short.toUnsignedInt(stx.get(JAVA_SHORT, Libc.STX_MODE)) & Libc.S_IFMT;
                if (type == Libc.S_IFBLK) {
                    if (config.sizeBytes() >= 0) {
                        throw new JiomapException(Errno.EINVAL, "file device option size=" + config.sizeBytes()
                                + " applies to regular files only; " + pathText + " is a block device");
                    }
                } else if (type != Libc.S_IFREG) {
                    throw new JiomapException(Errno.EINVAL, "file device path " + pathText
                            + " is neither a regular file nor a block device");
                } else {
                    long current = stx.get(JAVA_LONG, Libc.STX_SIZE);
                    if (config.sizeBytes() > current) {
                        resize(pathText, current, config.sizeBytes(), false);
                    }
                }
            }
            r = Libc.statx(pathText, Libc.STATX_TYPE | Libc.STATX_SIZE | Libc.STATX_DIOALIGN, stx);
            if (r < 0) {
                throw new JiomapException(-r, "statx " + pathText);
            }
            return geometry(config.path(), stx);
        }
    }

    /** Creates (if asked) and extends the file with fallocate, so writes need no block allocation; else ftruncate. */
    private static void resize(String path, long from, long to, boolean create) throws JiomapException {
        int fd = Libc.open(path, Libc.O_RDWR | Libc.O_CLOEXEC | (create ? Libc.O_CREAT : 0), 0644);
        if (fd < 0) {
            throw new JiomapException(-fd, (create ? "create " : "open ") + path);
        }
        try {
            int r = Libc.fallocate(fd, from, to - from);
            if (r == -Errno.EOPNOTSUPP) {
                r = Libc.ftruncate(fd, to);
            }
            if (r < 0) {
                throw new JiomapException(-r, "extend " + path + " to " + Quantity.formatBytes(to) + " bytes");
            }
        } finally {
            Libc.close(fd);
        }
    }

    private static FileTarget geometry(Path path, MemorySegment stx) throws JiomapException {
        int mask = stx.get(JAVA_INT, Libc.STX_MASK);
        int type = Short.toUnsignedInt(stx.get(JAVA_SHORT, Libc.STX_MODE)) & Libc.S_IFMT;
        boolean blockDevice = type == Libc.S_IFBLK;
        long size = stx.get(JAVA_LONG, Libc.STX_SIZE);
        int fsBlockSize = stx.get(JAVA_INT, 4);
        int memAlign = 0;
        int offsetAlign = 0;
        String source;
        if ((mask & Libc.STATX_DIOALIGN) != 0) {
            memAlign = stx.get(JAVA_INT, Libc.STX_DIO_MEM_ALIGN);
            offsetAlign = stx.get(JAVA_INT, Libc.STX_DIO_OFFSET_ALIGN);
            if (offsetAlign == 0) {
                throw new JiomapException(Errno.EINVAL, "the filesystem of " + path
                        + " does not support direct I/O (statx reports no O_DIRECT alignment)");
            }
            source = "statx";
        } else {
            source = blockDevice ? "BLKSSZGET" : "filesystem block size";
        }
        if (blockDevice) {
            long[] sizeAndSector = blockDeviceGeometry(path);
            size = sizeAndSector[0];
            if (offsetAlign == 0) {
                offsetAlign = (int) sizeAndSector[1];
                memAlign = offsetAlign;
            }
        } else if (offsetAlign == 0) {
            offsetAlign = fileStoreBlockSize(path);
            memAlign = offsetAlign;
        }
        return new FileTarget(path, blockDevice, size, offsetAlign, Math.max(1, memAlign), fsBlockSize, source);
    }

    /** BLKGETSIZE64 and BLKSSZGET on a block device. */
    private static long[] blockDeviceGeometry(Path path) throws JiomapException {
        int fd = Libc.open(path.toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
        if (fd < 0) {
            throw new JiomapException(-fd, "open " + path);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            MemorySegment sector = arena.allocate(JAVA_INT);
            int r = Libc.ioctl(fd, Libc.BLKGETSIZE64, size);
            if (r < 0) {
                throw new JiomapException(-r, "BLKGETSIZE64 on " + path);
            }
            r = Libc.ioctl(fd, Libc.BLKSSZGET, sector);
            if (r < 0) {
                throw new JiomapException(-r, "BLKSSZGET on " + path);
            }
            return new long[] {size.get(JAVA_LONG, 0), sector.get(JAVA_INT, 0)};
        } finally {
            Libc.close(fd);
        }
    }

    /** The filesystem's block size: the alignment the JDK's FileChannel enforces for ExtendedOpenOption.DIRECT. */
    static int fileStoreBlockSize(Path path) throws JiomapException {
        try {
            return (int) Files.getFileStore(path).getBlockSize();
        } catch (IOException | UnsupportedOperationException e) {
            throw new JiomapException(Errno.EIO, "cannot read the block size of the filesystem of " + path, e);
        }
    }
}
