package io.jiomap.device.file;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few libc functions the device calls through the FFM API, with errno captured per call.
 *
 * <p>Every call that can fail returns {@code -errno} (the kernel's convention, and {@link io.jiomap.api.Errno}'s):
 * libc's {@code -1} is replaced by the captured errno. Calls off the hot path capture errno into a segment of a
 * short-lived confined arena; the ring thread passes its own preallocated capture segment instead, so its loop
 * allocates nothing.
 *
 * <p>Constants are the x86_64 Linux values (checked against the kernel's uapi headers); {@link #IS_X86_64_LINUX}
 * guards every use of those that differ per architecture (O_DIRECT, the syscall numbers).
 */
final class Libc {
    static final boolean IS_LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    static final String ARCH = System.getProperty("os.arch", "");
    static final boolean IS_X86_64_LINUX = IS_LINUX && (ARCH.equals("amd64") || ARCH.equals("x86_64"));

    static final int O_RDWR = 0x2;
    static final int O_CREAT = 0x40;
    /** x86_64 value; arm64 uses 0x10000, which is why io_uring is refused on other architectures. */
    static final int O_DIRECT = 0x4000;
    static final int O_CLOEXEC = 0x80000;
    static final int AT_FDCWD = -100;
    static final int STATX_TYPE = 0x1;
    static final int STATX_SIZE = 0x200;
    static final int STATX_DIOALIGN = 0x2000;
    static final int S_IFMT = 0xF000;
    static final int S_IFREG = 0x8000;
    static final int S_IFBLK = 0x6000;
    static final long BLKSSZGET = 0x1268;
    static final long BLKGETSIZE64 = 0x80081272L;
    static final int EFD_CLOEXEC = 0x80000;

    /** struct statx (256 bytes): the fields the device reads. */
    static final int STATX_SIZE_BYTES = 256;
    static final long STX_MASK = 0;
    static final long STX_MODE = 28;
    static final long STX_SIZE = 40;
    static final long STX_DIO_MEM_ALIGN = 152;
    static final long STX_DIO_OFFSET_ALIGN = 156;

    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final long SYS_IO_URING_REGISTER = 427;

    /** errno values io_uring_setup fails with that {@link io.jiomap.api.Errno} does not name. */

    /** FALLOC_FL_KEEP_SIZE. */
    static final int FALLOC_KEEP_SIZE = 0x01;
    /** FALLOC_FL_PUNCH_HOLE: deallocate the range, which then reads as zeros (with KEEP_SIZE only). */
    static final int FALLOC_PUNCH_HOLE = 0x02;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle FALLOCATE = downcall("fallocate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle STATX = downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /** The submitters' doorbell: a short non-blocking write, so a critical (no thread-state transition) call. */
    private static final MethodHandle WRITE_CRITICAL = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    /** syscall(nr, a1..a6): the varargs are passed as full 64-bit registers, as the kernel reads them. */
    private static final MethodHandle SYSCALL6 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /** The same, for io_uring_enter calls that cannot block (min_complete = 0): no thread-state transition. */
    private static final MethodHandle SYSCALL6_CRITICAL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));

    /**
     * The same without capturing errno, for the ring thread's blocking wait: a downcall that captures errno allocates
     * per call until C2 compiles its caller, and a wait is not called often enough for that.
     */
    private static final MethodHandle SYSCALL6_PLAIN = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG), Linker.Option.firstVariadicArg(1));
    /**
     * The non-blocking submit without errno: the submitter calls it once per batch, and until C2 has compiled the
     * caller (a busy or freshly started JVM) a capturing downcall allocates on every call.
     */
    private static final MethodHandle SYSCALL6_CRITICAL_PLAIN = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                    JAVA_LONG), Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        if (!IS_LINUX) {
            return null;
        }
        return LINKER.defaultLookup().find(name)
                .map(symbol -> LINKER.downcallHandle(symbol, descriptor, options))
                .orElse(null);
    }

    /** Whether every function the io_uring engine needs was found. */
    static boolean hasIoUringFunctions() {
        return OPEN != null && CLOSE != null && MMAP != null && MUNMAP != null && SYSCALL6 != null
                && EVENTFD != null && WRITE_CRITICAL != null && SYSCALL6_CRITICAL != null
                && SYSCALL6_PLAIN != null;
    }

    static boolean hasStatx() {
        return STATX != null;
    }

    static MemorySegment allocateCapture(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** open(2). @return the fd or -errno */
    static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            int fd = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags, mode);
            return fd < 0 ? -errno(capture) : fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fallocate(2) with mode 0: allocates (unwritten) blocks and extends the size. @return 0 or -errno */
    static int fallocate(int fd, long offset, long length) {
        return fallocate(fd, 0, offset, length);
    }

    /** fallocate(2) with {@code mode} (e.g. {@link #FALLOC_PUNCH_HOLE} | {@link #FALLOC_KEEP_SIZE}). @return 0 or -errno */
    static int fallocate(int fd, int mode, long offset, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            int r = (int) FALLOCATE.invokeExact(capture, fd, mode, offset, length);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return 0 or -errno */
    static int ftruncate(int fd, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            int r = (int) FTRUNCATE.invokeExact(capture, fd, length);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * statx(2) of {@code path} into {@code buffer} ({@link #STATX_SIZE_BYTES} bytes). @return 0 or -errno
     */
    static int statx(String path, int mask, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            int r = (int) STATX.invokeExact(capture, AT_FDCWD, arena.allocateFrom(path), 0, mask, buffer);
            return r < 0 ? -errno(capture) : 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(2) with a pointer argument. @return the result or -errno */
    static int ioctl(int fd, long request, MemorySegment argument) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            int r = (int) IOCTL.invokeExact(capture, fd, request, argument);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap(2) of a shared, populated read-write mapping of {@code fd}. @return the address, or -errno */
    static long mmapShared(int fd, long length, long offset) {
        final int protReadWrite = 0x1 | 0x2;
        final int mapSharedPopulate = 0x01 | 0x8000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            long address = (long) MMAP.invokeExact(capture, 0L, length, protReadWrite, mapSharedPopulate, fd, offset);
            return address == -1L ? -errno(capture) : address;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void munmap(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** eventfd(2), blocking (io_uring polls it; a non-blocking one would make its READ fail with EAGAIN). */
    static int eventfd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = allocateCapture(arena);
            int fd = (int) EVENTFD.invokeExact(capture, 0, EFD_CLOEXEC);
            return fd < 0 ? -errno(capture) : fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2) of {@code length} bytes at native {@code address}; allocates nothing. */
    static long writeCritical(int fd, long address, long length) {
        try {
            return (long) WRITE_CRITICAL.invokeExact(fd, address, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A raw system call. @return the result or -errno (read from {@code capture}) */
    static long syscall(MemorySegment capture, long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            long r = (long) SYSCALL6.invokeExact(capture, nr, a1, a2, a3, a4, a5, a6);
            return r == -1L ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #syscall} without errno: -1 on any failure; the caller asks again with {@link #syscall} to learn why. */
    static long syscallPlain(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL6_PLAIN.invokeExact(nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #syscallPlain} for a call that never blocks. */
    static long syscallCriticalPlain(long nr, long a1, long a2, long a3, long a4, long a5, long a6) {
        try {
            return (long) SYSCALL6_CRITICAL_PLAIN.invokeExact(nr, a1, a2, a3, a4, a5, a6);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #syscall} for a call that never blocks. */
    static long syscallCritical(MemorySegment capture, long nr, long a1, long a2, long a3, long a4, long a5,
                                long a6) {
        try {
            long r = (long) SYSCALL6_CRITICAL.invokeExact(capture, nr, a1, a2, a3, a4, a5, a6);
            return r == -1L ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }
}
