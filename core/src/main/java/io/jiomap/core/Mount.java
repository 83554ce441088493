package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.vfs.Inode;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.vfs.DioCounters;
import io.jiomap.api.iomap.DirectIoEngine;
import io.jiomap.core.block.BlockLayer;
import io.jiomap.core.completion.CompletionWorkqueue;
import io.jiomap.core.dio.DioStats;
import io.jiomap.core.dio.DirectIo;
import io.jiomap.core.trace.DioTrace;
import java.util.Map;

/**
 * A filesystem mounted through the engine: the filesystem, its block layer, its direct-I/O path, its completion
 * workqueue and its counters. This is the superblock of the kernel, seen from the engine's side.
 */
public final class Mount implements AutoCloseable {
    /**
     * Engine-side mount options.
     *
     * @param workqueueWorkers threads of the completion workqueue
     * @param fsOptions        options passed to the filesystem
     */
    public record Options(int workqueueWorkers, Map<String, String> fsOptions) {
        public Options {
            if (workqueueWorkers < 1) {
                throw new IllegalArgumentException("the completion workqueue needs at least one worker");
            }
            fsOptions = Map.copyOf(fsOptions);
        }

        public static Options defaults() {
            return new Options(1, Map.of());
        }

        public Options withFsOptions(Map<String, String> options) {
            return new Options(workqueueWorkers, options);
        }

        public Options withWorkqueueWorkers(int workers) {
            return new Options(workers, fsOptions);
        }
    }

    private final FileSystem fs;
    private final BlockLayer blockLayer;
    private final DirectIo directIo;
    private final CompletionWorkqueue workqueue;
    private final DioStats stats;
    private volatile boolean closed;

    private Mount(FileSystem fs, BlockLayer blockLayer, DirectIo directIo, CompletionWorkqueue workqueue,
                  DioStats stats) {
        this.fs = fs;
        this.blockLayer = blockLayer;
        this.directIo = directIo;
        this.workqueue = workqueue;
        this.stats = stats;
    }

    /** Writes an empty filesystem of {@code type} to the device (through the block layer's flush policy). */
    public static void mkfs(FileSystemType type, BlockDevice device, Map<String, String> options)
            throws JiomapException {
        type.mkfs(new BlockLayer(device, new DioStats()), options);
    }

    /** Mounts {@code type} on the device. */
    public static Mount mount(FileSystemType type, BlockDevice device, Options options) throws JiomapException {
        if (device.isClosed()) {
            throw new JiomapException(Errno.ENODEV, "device " + device.name() + " is closed");
        }
        DioStats stats = new DioStats();
        BlockLayer layer = new BlockLayer(device, stats);
        CompletionWorkqueue wq = new CompletionWorkqueue(type.name() + "-" + device.name(),
                options.workqueueWorkers());
        DirectIo dio = new DirectIo(layer, wq, stats);
        Map<String, String> fsOptions = options.fsOptions();
        try {
            FileSystem fs = type.mount(layer, new MountContext() {
                @Override
                public DirectIoEngine directIo() {
                    return dio;
                }

                @Override
                public Map<String, String> options() {
                    return fsOptions;
                }
            });
            return new Mount(fs, layer, dio, wq, stats);
        } catch (JiomapException | RuntimeException e) {
            wq.close();
            throw e;
        }
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** The device under the filesystem. */
    public BlockDevice device() {
        return blockLayer.unwrap();
    }

    /** Where completions ran and what bios were issued, since the mount. */
    public DioCounters counters() {
        return stats.snapshot();
    }

    /** Turns trace points on ({@code null}: off). */
    public void setTrace(DioTrace trace) {
        directIo.setTrace(trace);
    }

    public int workqueueWorkers() {
        return workqueue.workers();
    }

    /** How many times the completion workqueue's workers went to sleep for lack of work so far. */
    public long workqueueSleeps() {
        return workqueue.sleeps();
    }

    /** Whether {@link #close} has run: files of a closed mount refuse every operation with ESHUTDOWN. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Opens a file.
     *
     * @param openFlags {@link OpenFile#CREATE}, {@link OpenFile#EXCLUSIVE}, {@link OpenFile#DSYNC},
     *                  {@link OpenFile#SYNC}
     */
    public OpenFile open(String path, int openFlags) throws JiomapException {
        if (closed) {
            throw new JiomapException(Errno.ENODEV, "the filesystem on " + device().name() + " is unmounted");
        }
        Inode inode = fs.open(path, openFlags & (OpenFile.CREATE | OpenFile.EXCLUSIVE));
        return new OpenFile(this, inode, path, openFlags);
    }

    DirectIo directIo() {
        return directIo;
    }

    /**
     * Unmounts: new direct I/O fails with ESHUTDOWN (even through files still open), the filesystem drains what is
     * in flight (without deadlocking against caller completion) and persists, then the workqueue stops.
     */
    @Override
    public void close() throws JiomapException {
        if (closed) {
            return;
        }
        closed = true;
        directIo.shutdown();
        try {
            fs.unmount();
        } finally {
            workqueue.close();
        }
    }
}
