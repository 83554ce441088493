package io.jiomap.fuse;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An exclusive flock(2) on an image file, held while a process serves it: a second {@code jiomap mount} of the same
 * image, from this process or another, is refused instead of mounting the filesystem twice. flock belongs to the open
 * file description, so the device's own descriptors of the image neither take nor release it.
 */
public final class ImageLock implements AutoCloseable {
    private final Path image;
    private int fd;

    private ImageLock(Path image, int fd) {
        this.image = image;
        this.fd = fd;
    }

    /** Takes the lock or refuses with EBUSY saying the image is in use. */
    public static ImageLock acquire(Path image) throws JiomapException {
        ImageLock lock = tryAcquire(image);
        if (lock == null) {
            throw new JiomapException(Errno.EBUSY, image + " is in use: another jiomap process (or this one) has it "
                    + "mounted; unmount it first (jiomap umount MOUNTPOINT)");
        }
        return lock;
    }

    /** Takes the lock, or returns null while someone else holds it. */
    public static ImageLock tryAcquire(Path image) throws JiomapException {
        int fd = Libc.open(image.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw new JiomapException(-fd, "cannot open " + image + ": " + Errno.describe(-fd));
        }
        int r = Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB);
        if (r < 0) {
            Libc.close(fd);
            if (-r == Libc.EWOULDBLOCK) {
                return null;
            }
            throw new JiomapException(-r, "cannot lock " + image + ": " + Errno.describe(-r));
        }
        return new ImageLock(image, fd);
    }

    /**
     * Waits until nobody holds the image (the serving process has made it durable and let go), polling every 20 ms.
     *
     * @return false when {@code timeout} passed first
     */
    public static boolean awaitReleased(Path image, Duration timeout) throws JiomapException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            ImageLock lock = tryAcquire(image);
            if (lock != null) {
                lock.close();
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
    }

    public Path image() {
        return image;
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Libc.close(fd);
            fd = -1;
        }
    }
}
