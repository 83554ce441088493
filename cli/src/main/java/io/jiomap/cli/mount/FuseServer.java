package io.jiomap.cli.mount;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.cli.image.ImageDevice;
import io.jiomap.cli.plugin.Plugins;
import io.jiomap.core.Mount;
import io.jiomap.fuse.FuseMount;
import io.jiomap.fuse.FuseOptions;
import io.jiomap.fuse.ImageLock;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The filesystem in an image served on a mountpoint through FUSE, with everything it holds: the image lock, the
 * device, the jiomap mount and the FUSE mount. {@code jiomap mount} runs one in the foreground, the shell's
 * {@code jiomap:mount --fuse} in the background. It ends when the kernel lets go of the mount ({@link #unmount},
 * umount(8), fusermount3 -u); {@link #awaitEnd} then makes everything durable and releases the image.
 */
public final class FuseServer {
    private final Path image;
    private final String typeName;
    private final ImageLock lock;
    private final BlockDevice device;
    private final Mount mount;
    private final FuseMount fuse;
    private DioCounters finalCounters;

    private FuseServer(Path image, String typeName, ImageLock lock, BlockDevice device, Mount mount, FuseMount fuse) {
        this.image = image;
        this.typeName = typeName;
        this.lock = lock;
        this.device = device;
        this.mount = mount;
        this.fuse = fuse;
    }

    /**
     * Mounts the image's filesystem on {@code mountpoint}. Every refusal (mountpoint, image held by another mount,
     * no FUSE, unknown type) comes before the filesystem is mounted, which may replay its log: nothing is touched.
     *
     * @param deviceSpec the device model the image is opened behind ({@code null}: the file device)
     * @param fsName     the type to mount as ({@code null}: the one the superblock names)
     */
    public static FuseServer start(Plugins plugins, Path image, Path mountpoint, String deviceSpec, String fsName,
                                   FuseOptions options, int wqWorkers, PrintStream log) throws JiomapException {
        Path img = image.toAbsolutePath().normalize();
        ImageLock lock = ImageLock.acquire(img);
        BlockDevice dev = null;
        try (FuseMount.Prepared prepared = FuseMount.prepare(mountpoint)) {
            dev = ImageDevice.open(plugins, deviceSpec, img, -1);
            FileSystemType type = ImageDevice.detect(plugins, dev, fsName, img);
            Mount mount = Mount.mount(type, dev, Mount.Options.defaults().withWorkqueueWorkers(wqWorkers));
            try {
                FuseMount fuse = prepared.mount(mount, img.toString(), options, log);
                return new FuseServer(img, type.name(), lock, dev, mount, fuse);
            } catch (JiomapException | RuntimeException e) {
                mount.close();
                throw e;
            }
        } catch (JiomapException | RuntimeException e) {
            if (dev != null) {
                dev.close();
            }
            lock.close();
            throw e;
        }
    }

    public Path image() {
        return image;
    }

    public Path mountpoint() {
        return fuse.mountpoint();
    }

    /** The filesystem type served. */
    public String typeName() {
        return typeName;
    }

    /** Asks the kernel to unmount (lazily while programs still use it); returns at once. */
    public void unmount() {
        fuse.unmount();
    }

    /**
     * Waits for the end of the FUSE mount, then unmounts the filesystem (everything acknowledged made durable),
     * closes the device and releases the image. Idempotent.
     *
     * @return where the mount's direct-I/O completions ran, over its whole life
     */
    public synchronized DioCounters awaitEnd() throws InterruptedException, JiomapException {
        if (finalCounters != null) {
            return finalCounters;
        }
        fuse.awaitUnmounted();
        try {
            mount.close();
        } finally {
            try {
                device.close();
            } finally {
                lock.close();
            }
        }
        finalCounters = mount.counters();
        return finalCounters;
    }
}
