package io.jiomap.fuse;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.core.Mount;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A jiomap filesystem mounted in the Linux VFS through FUSE: opens {@code /dev/fuse}, mounts it with mount(2) as
 * filesystem type {@code fuse.jiomap}, and serves requests on worker threads until the kernel reports the mount gone
 * (an unmount by anyone: {@link #unmount}, umount(8), fusermount3 -u). The jiomap {@link Mount} stays the caller's:
 * close it after {@link #awaitUnmounted} to make everything acknowledged durable.
 *
 * <p>As root it mounts with mount(2); otherwise through the setuid helper {@code fusermount3} ({@link Fusermount}).
 */
public final class FuseMount {
    /** The filesystem type the kernel lists in /proc/mounts. */
    public static final String FS_TYPE = "fuse.jiomap";
    private static final String DEV_FUSE = "/dev/fuse";

    private final Path mountpoint;
    private final int fd;
    private final List<Thread> workers;
    private final FuseOperations ops;
    private final FuseUringTransport uring;

    private FuseMount(Path mountpoint, int fd, List<Thread> workers, FuseOperations ops, FuseUringTransport uring) {
        this.uring = uring;
        this.mountpoint = mountpoint;
        this.fd = fd;
        this.workers = workers;
        this.ops = ops;
    }

    /**
     * Checks the mountpoint and opens {@code /dev/fuse}, before anything touches the image: a refusal here leaves
     * everything as it was.
     *
     * @throws JiomapException ENOENT/ENOTDIR/ENOTEMPTY/EBUSY for a mountpoint that is not an empty directory, ENODEV
     *                         without /dev/fuse, EACCES or EPERM without the permission to open it
     */
    public static Prepared prepare(Path mountpoint) throws JiomapException {
        Path target = checkMountpoint(mountpoint);
        int fd = Libc.open(DEV_FUSE, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw switch (-fd) {
                case Libc.ENOENT, Libc.ENODEV -> new JiomapException(Errno.ENODEV, DEV_FUSE + " does not exist: the "
                        + "kernel has no FUSE (modprobe fuse), or this container was started without the device");
                case 13, Errno.EPERM -> new JiomapException(-fd, "no permission to open " + DEV_FUSE
                        + ": mounting needs root here");
                default -> new JiomapException(-fd, "cannot open " + DEV_FUSE + ": " + Errno.describe(-fd));
            };
        }
        return new Prepared(target, fd);
    }

    /** A checked mountpoint and an open {@code /dev/fuse}, not mounted yet; closed if {@link #mount} is not called. */
    public static final class Prepared implements AutoCloseable {
        private final Path target;
        private int fd;

        private Prepared(Path target, int fd) {
            this.target = target;
            this.fd = fd;
        }

        public Path mountpoint() {
            return target;
        }

        /**
         * Mounts {@code mount}'s filesystem (mount(2), type {@value #FS_TYPE}) and starts serving it.
         *
         * @param source what /proc/mounts shows as the source (the image path)
         * @throws JiomapException EPERM when mounting is not permitted (root is needed); nothing is left mounted
         */
        public FuseMount mount(Mount mount, String source, FuseOptions options, PrintStream log)
                throws JiomapException {
            return mount(mount, source, options, log, false);
        }

        /**
         * Mounts with mount(2), or through {@code fusermount3} where mount(2) is not permitted (not root) or when
         * {@code helper} says so.
         */
        FuseMount mount(Mount mount, String source, FuseOptions options, PrintStream log, boolean helper)
                throws JiomapException {
            if (fd < 0) {
                throw new IllegalStateException("already mounted or closed");
            }
            if (options.uring()) {
                FuseUringTransport.checkAvailable();
            }
            StringBuilder data = new StringBuilder("fd=").append(fd).append(",rootmode=40000,user_id=")
                    .append(Libc.geteuid()).append(",group_id=").append(Libc.getgid());
            if (options.allowOther()) {
                data.append(",allow_other");
            }
            if (options.defaultPermissions()) {
                data.append(",default_permissions");
            }
            long flags = Libc.MS_NOSUID | Libc.MS_NODEV | (options.readOnly() ? Libc.MS_RDONLY : 0);
            int r = helper ? -Errno.EPERM : Libc.mount(source, target.toString(), FS_TYPE, flags, data.toString());
            if (r == -Errno.EPERM) {
                // Not root: the setuid helper mounts and hands back its own /dev/fuse descriptor.
                close();
                try {
                    fd = Fusermount.mount(target, source, options);
                } catch (JiomapException e) {
                    throw new JiomapException(e.errno(), "mount(2) of " + FS_TYPE + " on " + target + " is not "
                            + "permitted (not root) and " + e.getMessage(), e);
                }
                Libc.nonBlockingCloexec(fd);
            } else if (r < 0) {
                close();
                throw new JiomapException(-r, "mount(2) of " + FS_TYPE + " on " + target + " failed: "
                        + Errno.describe(-r));
            }
            FuseOperations ops = new FuseOperations(mount, options, log);
            List<Thread> workers = new ArrayList<>();
            FuseUringTransport uring = options.uring()
                    ? new FuseUringTransport(fd, ops, options.depth(), options.completion(), log) : null;
            for (int i = 0; i < options.workers(); i++) {
                Thread t = new Thread(new FuseWorker(fd, ops, options.depth(), options.completion(), log, uring),
                        "jiomap-fuse-" + i);
                t.setDaemon(true);
                workers.add(t);
            }
            workers.forEach(Thread::start);
            if (uring != null) {
                workers.addAll(uring.start());
            }
            FuseMount m = new FuseMount(target, fd, workers, ops, uring);
            fd = -1;
            return m;
        }

        @Override
        public void close() {
            if (fd >= 0) {
                Libc.close(fd);
                fd = -1;
            }
        }
    }

    /**
     * The mountpoint as an absolute, real path, once it is known to be an empty directory. A dead jiomap mount left
     * there by a process that died (the kernel answers ENOTCONN) is detached first, so mounting again recovers.
     */
    private static Path checkMountpoint(Path mountpoint) throws JiomapException {
        Path abs = mountpoint.toAbsolutePath().normalize();
        if (MountTable.isFuseJiomap(abs) && !isReachable(abs)) {
            MountTable.unmount(abs, true);
        }
        if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
            throw new JiomapException(Errno.ENOENT, "mountpoint " + abs + " does not exist; create an empty "
                    + "directory there");
        }
        if (!Files.isDirectory(abs)) {
            throw new JiomapException(Errno.ENOTDIR, "mountpoint " + abs + " is not a directory");
        }
        boolean empty;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(abs)) {
            empty = !d.iterator().hasNext();
        } catch (IOException e) {
            throw new JiomapException(Errno.EIO, "cannot list mountpoint " + abs + ": " + e.getMessage(), e);
        }
        if (!empty) {
            throw new JiomapException(Errno.ENOTEMPTY, "mountpoint " + abs + " is not empty; mount on an empty "
                    + "directory");
        }
        if (MountTable.isMountpoint(abs)) {
            throw new JiomapException(Errno.EBUSY, "mountpoint " + abs + " already has a filesystem mounted on it");
        }
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            throw new JiomapException(Errno.EIO, "cannot resolve mountpoint " + abs + ": " + e.getMessage(), e);
        }
    }

    private static boolean isReachable(Path p) {
        try {
            Files.readAttributes(p, "basic:isDirectory");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    /**
     * Unmounts from the VFS: a plain unmount, or, while programs still use the mount, a lazy one (MNT_DETACH) after
     * which it is served until the last of them lets go. Returns at once; {@link #awaitUnmounted} waits for the end.
     */
    public void unmount() {
        int r = MountTable.unmount(mountpoint, false);
        if (r == -Libc.EBUSY) {
            MountTable.unmount(mountpoint, true);
        }
    }

    /** Waits until the kernel has let go of the mount and every worker has answered what it took. */
    public void awaitUnmounted() throws InterruptedException {
        for (Thread t : workers) {
            t.join();
        }
        Libc.close(fd);
    }

    /** Waits at most {@code timeout}; true when the mount is gone. */
    public boolean awaitUnmounted(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Thread t : workers) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                return false;
            }
        }
        Libc.close(fd);
        return true;
    }

    /** Requests served through the io_uring queues ({@code -o uring}); 0 without them. */
    long uringRequests() {
        return uring == null ? 0 : uring.requests();
    }
}
