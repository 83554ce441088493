package io.jiomap.fs.raw;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The raw filesystem: the whole device is one preallocated file, every mapping is MAPPED and nothing happens at
 * completion. It is what fio on a raw block device measures, and the baseline the real filesystems are compared
 * with. It has no on-disk format, so mkfs writes nothing and any device mounts.
 */
public final class RawFileSystemType implements FileSystemType {
    public static final String NAME = "raw";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the whole device as one preallocated file; every mapping MAPPED, no end_io work";
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        refuseOptions(options, "mkfs");
    }

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        refuseOptions(context.options(), "mount");
        return new RawFileSystem(device, context.directIo());
    }

    /** Raw has no signature: it never claims a device, so it is only used when named. */
    @Override
    public boolean probe(BlockDevice device) {
        return false;
    }

    /** Raw has no on-disk format: any device is a raw filesystem, and nothing on it says so. */
    @Override
    public Optional<String> onDiskType(Map<String, String> mountOptions) {
        return Optional.empty();
    }

    /** There is no metadata to check; the report says so and is clean. */
    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
        refuseOptions(options, "fsck");
        return new FsckReport(NAME, List.of(), List.of("raw has no metadata: " + device.name() + " is one file of "
                + device.capabilities().capacityBytes() + " bytes"));
    }

    private static void refuseOptions(Map<String, String> options, String what) throws JiomapException {
        if (!options.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "the raw filesystem takes no " + what + " options, got "
                    + options.keySet());
        }
    }
}
