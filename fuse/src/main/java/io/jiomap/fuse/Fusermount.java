package io.jiomap.fuse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounting without root, through the setuid helper {@code fusermount3} as libfuse does: a socketpair, the helper
 * spawned with one end as {@code _FUSE_COMMFD}, and the {@code /dev/fuse} descriptor it opened and mounted received
 * back over the socket (SCM_RIGHTS). Spawned with posix_spawn, because a JDK-started process inherits no descriptor but
 * 0, 1 and 2. Downcalls only.
 */
final class Fusermount {
    static final String HELPER = "fusermount3";
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    /** The descriptor number the helper gets its end of the socket as. */
    private static final int CHILD_FD = 3;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle FA_INIT = downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FA_DUP2 = downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FA_DESTROY = downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWN = downcall("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle WAITPID = downcall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    private Fusermount() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor d) {
        return LINKER.defaultLookup().find(name).map(s -> LINKER.downcallHandle(s, d)).orElse(null);
    }

    /** The helper's path, or null when fuse3 is not installed. */
    static Path helper() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
            Path p = Path.of(dir, HELPER);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The mount options the helper takes (it adds fd, rootmode, user_id and group_id itself). */
    static String helperOptions(FuseOptions options, String source) {
        List<String> o = new ArrayList<>(List.of(options.readOnly() ? "ro" : "rw", "nosuid", "nodev"));
        if (options.allowOther()) {
            o.add("allow_other");
        }
        if (options.defaultPermissions()) {
            o.add("default_permissions");
        }
        o.add("fsname=" + source.replace(",", "\\,"));
        o.add("subtype=jiomap");
        return String.join(",", o);
    }

    /**
     * Mounts through the helper and returns the connected {@code /dev/fuse} descriptor.
     *
     * @throws JiomapException ENOENT without fuse3, EPERM (or what the helper said) when it refused
     */
    static int mount(Path mountpoint, String source, FuseOptions options) throws JiomapException {
        Path helper = helper();
        if (helper == null || SPAWN == null || RECVMSG == null) {
            throw new JiomapException(Errno.ENOENT, "mounting without root needs " + HELPER
                    + " (Debian: apt-get install fuse3)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) SOCKETPAIR.invokeExact(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
                throw new JiomapException(Errno.EIO, "socketpair for " + HELPER + " failed");
            }
            int mine = fds.getAtIndex(JAVA_INT, 0);
            int theirs = fds.getAtIndex(JAVA_INT, 1);
            try {
                int status = spawnAndWait(arena, helper, theirs, List.of(helper.toString(), "-o",
                        helperOptions(options, source), "--", mountpoint.toString()));
                Libc.close(theirs);
                theirs = -1;
                if (status != 0) {
                    throw new JiomapException(Errno.EPERM, HELPER + " refused to mount " + mountpoint + " (exit status "
                            + status + "; it said why on stderr)");
                }
                int fd = receiveFd(arena, mine);
                if (fd < 0) {
                    throw new JiomapException(Errno.EIO, HELPER + " mounted " + mountpoint
                            + " but sent no /dev/fuse descriptor back");
                }
                return fd;
            } finally {
                Libc.close(mine);
                if (theirs >= 0) {
                    Libc.close(theirs);
                }
            }
        } catch (JiomapException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Unmounts through the helper ({@code fusermount3 -u}, with {@code -z} for lazy): its exit status. */
    static int unmount(Path mountpoint, boolean lazy) throws JiomapException {
        Path helper = helper();
        if (helper == null || SPAWN == null) {
            return -Errno.ENOENT;
        }
        try (Arena arena = Arena.ofConfined()) {
            List<String> argv = new ArrayList<>(List.of(helper.toString(), "-u"));
            if (lazy) {
                argv.add("-z");
            }
            argv.add("--");
            argv.add(mountpoint.toString());
            return spawnAndWait(arena, helper, -1, argv);
        } catch (JiomapException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int spawnAndWait(Arena arena, Path helper, int commFd, List<String> args) throws Throwable {
        MemorySegment actions = arena.allocate(256, 8);
        int ignored = (int) FA_INIT.invokeExact(actions);
        try {
            if (commFd >= 0) {
                // dup2 clears close-on-exec on the copy: the helper gets the socket as descriptor 3.
                ignored = (int) FA_DUP2.invokeExact(actions, commFd, CHILD_FD);
            }
            MemorySegment argv = arena.allocate(ADDRESS, args.size() + 1);
            for (int i = 0; i < args.size(); i++) {
                argv.setAtIndex(ADDRESS, i, arena.allocateFrom(args.get(i)));
            }
            argv.setAtIndex(ADDRESS, args.size(), MemorySegment.NULL);
            List<String> env = new ArrayList<>();
            System.getenv().forEach((k, v) -> {
                if (!k.equals("_FUSE_COMMFD")) {
                    env.add(k + "=" + v);
                }
            });
            if (commFd >= 0) {
                env.add("_FUSE_COMMFD=" + CHILD_FD);
            }
            MemorySegment envp = arena.allocate(ADDRESS, env.size() + 1);
            for (int i = 0; i < env.size(); i++) {
                envp.setAtIndex(ADDRESS, i, arena.allocateFrom(env.get(i)));
            }
            envp.setAtIndex(ADDRESS, env.size(), MemorySegment.NULL);
            MemorySegment pid = arena.allocate(JAVA_INT);
            int r = (int) SPAWN.invokeExact(pid, arena.allocateFrom(helper.toString()), actions, MemorySegment.NULL,
                    argv, envp);
            if (r != 0) {
                throw new JiomapException(r, "cannot start " + helper + ": " + Errno.describe(r));
            }
            MemorySegment status = arena.allocate(JAVA_INT);
            int waited;
            do {
                waited = (int) WAITPID.invokeExact(pid.get(JAVA_INT, 0), status, 0);
            } while (waited < 0);
            int s = status.get(JAVA_INT, 0);
            // WIFEXITED: the low 7 bits are 0; WEXITSTATUS: the next 8.
            return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
        } finally {
            ignored = (int) FA_DESTROY.invokeExact(actions);
        }
    }

    /** Receives one descriptor sent with SCM_RIGHTS, or -1. */
    private static int receiveFd(Arena arena, int socket) throws Throwable {
        MemorySegment data = arena.allocate(1);
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, 1);
        // CMSG_SPACE(sizeof(int)) = 16-byte header + 4 bytes, aligned to 8.
        MemorySegment control = arena.allocate(24, 8);
        MemorySegment msg = arena.allocate(56, 8);
        msg.set(ADDRESS, 16, iov);
        msg.set(JAVA_LONG, 24, 1);
        msg.set(ADDRESS, 32, control);
        msg.set(JAVA_LONG, 40, control.byteSize());
        long n = (long) RECVMSG.invokeExact(socket, msg, 0);
        if (n <= 0) {
            return -1;
        }
        long len = control.get(JAVA_LONG, 0);
        int level = control.get(JAVA_INT, 8);
        int type = control.get(JAVA_INT, 12);
        if (len < 20 || level != SOL_SOCKET || type != SCM_RIGHTS) {
            return -1;
        }
        return control.get(JAVA_INT, 16);
    }
}
