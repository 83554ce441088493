package io.jiomap.api;

/**
 * Linux errno values, used as negative return codes on the hot path ({@code -Errno.EIO}) exactly as the kernel's
 * {@code ssize_t} returns do, and carried by {@link JiomapException} where a caller wants an exception.
 *
 * <p>The hot path returns numbers instead of throwing because an I/O error is an ordinary result of an I/O (it lands
 * in a completion-queue entry), and building an exception per failed I/O would allocate on the path that must not.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int E2BIG = 7;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    /** "Fall back to buffered I/O": returned by a filesystem or by the page-cache invalidation of a direct write. */
    public static final int ENOTBLK = 15;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int EFBIG = 27;
    public static final int ENOSPC = 28;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ERANGE = 34;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ENOTEMPTY = 39;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int ESHUTDOWN = 108;
    /** Metadata is corrupt (the kernel's EFSCORRUPTED): a filesystem refuses to mount or to go on. */
    public static final int EUCLEAN = 117;
    public static final int ECANCELED = 125;
    /** The request was queued and completes later through the iocb's completion (never returned to user space). */
    public static final int EIOCBQUEUED = 529;

    private Errno() {
    }

    /** The symbolic name of an errno value, e.g. {@code "EINVAL"}; a negative value is read as its absolute value. */
    public static String name(int errno) {
        return switch (Math.abs(errno)) {
            case EPERM -> "EPERM";
            case ERANGE -> "ERANGE";
            case E2BIG -> "E2BIG";
            case ENODATA -> "ENODATA";
            case ELOOP -> "ELOOP";
            case EMLINK -> "EMLINK";
            case EACCES -> "EACCES";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EFAULT -> "EFAULT";
            case ENOTBLK -> "ENOTBLK";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EXDEV -> "EXDEV";
            case ENODEV -> "ENODEV";
            case ENOTDIR -> "ENOTDIR";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case EFBIG -> "EFBIG";
            case ENOSPC -> "ENOSPC";
            case EROFS -> "EROFS";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOSYS -> "ENOSYS";
            case ENOTEMPTY -> "ENOTEMPTY";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case ESHUTDOWN -> "ESHUTDOWN";
            case EUCLEAN -> "EUCLEAN";
            case ECANCELED -> "ECANCELED";
            case EIOCBQUEUED -> "EIOCBQUEUED";
            default -> "E" + Math.abs(errno);
        };
    }

    /** A short human description, as strerror(3) gives it. */
    public static String describe(int errno) {
        return switch (Math.abs(errno)) {
            case EPERM -> "Operation not permitted";
            case ERANGE -> "Numerical result out of range";
            case E2BIG -> "Argument list too long";
            case ENODATA -> "No data available";
            case ELOOP -> "Too many levels of symbolic links";
            case EMLINK -> "Too many links";
            case EACCES -> "Permission denied";
            case ENOENT -> "No such file or directory";
            case EINTR -> "Interrupted system call";
            case EIO -> "Input/output error";
            case EBADF -> "Bad file descriptor";
            case EAGAIN -> "Resource temporarily unavailable";
            case ENOMEM -> "Cannot allocate memory";
            case EFAULT -> "Bad address";
            case ENOTBLK -> "Fall back to buffered I/O";
            case EBUSY -> "Device or resource busy";
            case EEXIST -> "File exists";
            case EXDEV -> "Invalid cross-device link";
            case ENODEV -> "No such device";
            case ENOTDIR -> "Not a directory";
            case EISDIR -> "Is a directory";
            case EINVAL -> "Invalid argument";
            case EFBIG -> "File too large";
            case ENOSPC -> "No space left on device";
            case EROFS -> "Read-only file system";
            case ENAMETOOLONG -> "File name too long";
            case ENOSYS -> "System call not available";
            case ENOTEMPTY -> "Directory not empty";
            case EOPNOTSUPP -> "Operation not supported";
            case ESHUTDOWN -> "Cannot send after transport endpoint shutdown";
            case EUCLEAN -> "Structure needs cleaning";
            case ECANCELED -> "Operation canceled";
            case EIOCBQUEUED -> "I/O queued";
            default -> "Unknown error " + Math.abs(errno);
        };
    }

    /**
     * Throws a {@link JiomapException} when {@code result} is a negative errno, otherwise returns it.
     *
     * @param what what was being done, for the message (e.g. {@code "pwrite /data at 4096"})
     */
    public static long check(long result, String what) throws JiomapException {
        if (result < 0) {
            throw new JiomapException((int) -result, what);
        }
        return result;
    }
}
