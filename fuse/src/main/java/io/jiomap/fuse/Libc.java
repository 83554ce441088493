package io.jiomap.fuse;

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

/**
 * The libc calls of the bridge, through FFM downcalls (never an upcall: an exception escaping one would end the JVM).
 * Each returns its result or {@code -errno}; errno is captured into a segment the caller owns, so a worker's loop
 * allocates nothing. Constants are the x86_64/arm64 Linux values from the kernel's uapi headers.
 */
final class Libc {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final short POLLIN = 1;
    static final int LOCK_EX = 2;
    static final int LOCK_NB = 4;
    static final int MNT_DETACH = 2;
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;

    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ENOENT = 2;
    static final int ENODEV = 19;
    static final int EBUSY = 16;
    static final int EWOULDBLOCK = EAGAIN;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE);
    private static final MethodHandle FLOCK = downcall("flock",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE);
    private static final MethodHandle MOUNT = downcall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), CAPTURE);
    private static final MethodHandle UMOUNT2 = downcall("umount2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE);
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETUID = downcall("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = downcall("getgid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = downcall("geteuid", FunctionDescriptor.of(JAVA_INT));

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.defaultLookup().find(name).map(s -> LINKER.downcallHandle(s, d, options)).orElseThrow(
                () -> new UnsupportedOperationException("libc has no " + name + "; the FUSE bridge needs Linux"));
    }

    /** A segment for the captured errno of one thread's calls. */
    static MemorySegment captureSegment(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    static int open(String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = captureSegment(a);
            int r = (int) OPEN.invokeExact(cap, a.allocateFrom(path), flags, 0);
            return r < 0 ? -errno(cap) : r;
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

    static long read(MemorySegment capture, int fd, MemorySegment buf, long length) {
        try {
            long r = (long) READ.invokeExact(capture, fd, buf, length);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(MemorySegment capture, int fd, MemorySegment buf, long length) {
        try {
            long r = (long) WRITE.invokeExact(capture, fd, buf, length);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) on one descriptor for POLLIN; {@code pollfd} is an 8-byte segment the caller keeps. */
    static int pollIn(MemorySegment capture, MemorySegment pollfd, int fd, int timeoutMillis) {
        pollfd.set(JAVA_INT, 0, fd);
        pollfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 0);
        try {
            int r = (int) POLL.invokeExact(capture, pollfd, 1L, timeoutMillis);
            return r < 0 ? -errno(capture) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int flock(int fd, int op) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = captureSegment(a);
            int r = (int) FLOCK.invokeExact(cap, fd, op);
            return r < 0 ? -errno(cap) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int mount(String source, String target, String fsType, long flags, String data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = captureSegment(a);
            int r = (int) MOUNT.invokeExact(cap, a.allocateFrom(source), a.allocateFrom(target),
                    a.allocateFrom(fsType), flags, a.allocateFrom(data));
            return r < 0 ? -errno(cap) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int umount2(String target, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = captureSegment(a);
            int r = (int) UMOUNT2.invokeExact(cap, a.allocateFrom(target), flags);
            return r < 0 ? -errno(cap) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Makes a descriptor non-blocking and close-on-exec (one the fusermount3 helper handed over). */
    static void nonBlockingCloexec(int fd) {
        try {
            int flags = (int) FCNTL.invokeExact(fd, 3, 0);
            int ignored = (int) FCNTL.invokeExact(fd, 4, flags | O_NONBLOCK);
            ignored = (int) FCNTL.invokeExact(fd, 2, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int getuid() {
        return id(GETUID);
    }

    static int getgid() {
        return id(GETGID);
    }

    static int geteuid() {
        return id(GETEUID);
    }

    private static int id(MethodHandle h) {
        try {
            return (int) h.invokeExact();
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
        return new IllegalStateException(t);
    }
}
