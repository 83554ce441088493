package io.jiomap.fuse;

/**
 * The numbers of the kernel's FUSE protocol (include/uapi/linux/fuse.h, ABI 7.38 as the bridge speaks it): opcodes,
 * flags, and the byte offsets of the fields the bridge reads and writes. All structures are little-endian on the
 * architectures Java's FFM runs on here, and padded to 8 bytes.
 */
final class FuseAbi {
    static final int KERNEL_VERSION = 7;
    static final int KERNEL_MINOR_VERSION = 38;
    static final long ROOT_ID = 1;

    // Opcodes.
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int SETATTR = 4;
    static final int READLINK = 5;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int WRITE = 16;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int FSYNC = 20;
    static final int SETXATTR = 21;
    static final int GETXATTR = 22;
    static final int LISTXATTR = 23;
    static final int REMOVEXATTR = 24;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int FSYNCDIR = 30;
    static final int ACCESS = 34;
    static final int CREATE = 35;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;
    static final int FALLOCATE = 43;
    static final int READDIRPLUS = 44;
    static final int RENAME2 = 45;
    static final int LSEEK = 46;
    static final int COPY_FILE_RANGE = 47;
    static final int SYNCFS = 50;
    static final int TMPFILE = 51;

    // fuse_in_header (40 bytes) and fuse_out_header (16 bytes).
    static final int IN_HEADER = 40;
    static final int IN_LEN = 0;
    static final int IN_OPCODE = 4;
    static final int IN_UNIQUE = 8;
    static final int IN_NODEID = 16;
    static final int IN_UID = 24;
    static final int IN_GID = 28;
    static final int OUT_HEADER = 16;

    // FUSE_INIT flags (flags, and flags2 shifted by 32).
    static final long ASYNC_READ = 1L;
    static final long ATOMIC_O_TRUNC = 1L << 3;
    static final long BIG_WRITES = 1L << 5;
    static final long DO_READDIRPLUS = 1L << 13;
    static final long READDIRPLUS_AUTO = 1L << 14;
    static final long ASYNC_DIO = 1L << 15;
    static final long WRITEBACK_CACHE = 1L << 16;
    static final long PARALLEL_DIROPS = 1L << 18;
    static final long MAX_PAGES = 1L << 22;
    static final long INIT_EXT = 1L << 30;
    static final long OVER_IO_URING = 1L << 41;

    // fuse_open_out open_flags.
    static final int FOPEN_DIRECT_IO = 1;
    static final int FOPEN_KEEP_CACHE = 1 << 1;
    static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;

    // fuse_setattr_in valid bits.
    static final int FATTR_MODE = 1;
    static final int FATTR_UID = 1 << 1;
    static final int FATTR_GID = 1 << 2;
    static final int FATTR_SIZE = 1 << 3;
    static final int FATTR_ATIME = 1 << 4;
    static final int FATTR_MTIME = 1 << 5;
    static final int FATTR_FH = 1 << 6;
    static final int FATTR_ATIME_NOW = 1 << 7;
    static final int FATTR_MTIME_NOW = 1 << 8;
    static final int FATTR_CTIME = 1 << 10;

    // Sizes of the replies' bodies.
    static final int ATTR_SIZE = 88;
    static final int ENTRY_OUT = 40 + ATTR_SIZE;
    static final int ATTR_OUT = 16 + ATTR_SIZE;
    static final int OPEN_OUT = 16;
    static final int INIT_OUT = 64;
    static final int STATFS_OUT = 80;
    static final int WRITE_OUT = 8;
    static final int LSEEK_OUT = 8;
    /** fuse_getxattr_out: the size a GETXATTR or LISTXATTR of size 0 asks for. */
    static final int GETXATTR_OUT = 8;
    /** fuse_setxattr_in without FUSE_SETXATTR_EXT, which the bridge does not ask for: size, flags. */
    static final int SETXATTR_IN = 8;
    static final int DIRENT_NAME = 24;

    // open(2) flags the kernel passes through (x86_64 and arm64 differ for O_DIRECT; the bridge asks the runtime).
    static final int O_ACCMODE = 3;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_EXCL = 0x80;
    static final int O_TRUNC = 0x200;
    static final int O_DSYNC = 0x1000;
    static final int O_SYNC = 0x101000;
    static final int O_DIRECT = isArm64() ? 0x10000 : 0x4000;

    static final int S_IFMT = 0xF000;
    static final int S_IFDIR = 0x4000;
    static final int S_IFREG = 0x8000;
    static final int S_IFLNK = 0xA000;
    static final int DT_DIR = 4;
    static final int DT_REG = 8;
    static final int DT_LNK = 10;

    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    static final int ENXIO = 6;
    static final int FSYNC_FDATASYNC = 1;

    private FuseAbi() {
    }

    private static boolean isArm64() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("aarch64") || arch.equals("arm64");
    }

    /** The name of an opcode, for messages. */
    static String opName(int opcode) {
        return switch (opcode) {
            case LOOKUP -> "LOOKUP";
            case FORGET -> "FORGET";
            case GETATTR -> "GETATTR";
            case SETATTR -> "SETATTR";
            case READLINK -> "READLINK";
            case SYMLINK -> "SYMLINK";
            case MKNOD -> "MKNOD";
            case MKDIR -> "MKDIR";
            case UNLINK -> "UNLINK";
            case RMDIR -> "RMDIR";
            case RENAME -> "RENAME";
            case LINK -> "LINK";
            case SETXATTR -> "SETXATTR";
            case GETXATTR -> "GETXATTR";
            case LISTXATTR -> "LISTXATTR";
            case REMOVEXATTR -> "REMOVEXATTR";
            case ACCESS -> "ACCESS";
            case FSYNCDIR -> "FSYNCDIR";
            case SYNCFS -> "SYNCFS";
            case OPEN -> "OPEN";
            case READ -> "READ";
            case WRITE -> "WRITE";
            case STATFS -> "STATFS";
            case RELEASE -> "RELEASE";
            case FSYNC -> "FSYNC";
            case FLUSH -> "FLUSH";
            case INIT -> "INIT";
            case OPENDIR -> "OPENDIR";
            case READDIR -> "READDIR";
            case RELEASEDIR -> "RELEASEDIR";
            case CREATE -> "CREATE";
            case FALLOCATE -> "FALLOCATE";
            case READDIRPLUS -> "READDIRPLUS";
            case RENAME2 -> "RENAME2";
            case LSEEK -> "LSEEK";
            case COPY_FILE_RANGE -> "COPY_FILE_RANGE";
            default -> "opcode " + opcode;
        };
    }
}
