package io.jiomap.tck.scripted;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code scripted} filesystem type: a test filesystem whose {@code iomap_begin} returns exactly the mapping a
 * test scripted (type, flags, srcmap, address shift, errors, short mappings), with data stored on its device at
 * address = file offset by default. It has no on-disk format: mkfs writes nothing and any device mounts.
 *
 * <p>Mount option {@code block-size} (default 4096): the filesystem block, the unit of sub-block zeroing; a power
 * of two from the device's logical block size to 64 KiB.
 */
public final class ScriptedFileSystemType implements FileSystemType {
    public static final String NAME = "scripted";
    /** Mount option naming the filesystem block size. */
    public static final String BLOCK_SIZE = "block-size";
    private static final int DEFAULT_BLOCK_SIZE = 4096;
    private static final int MAX_BLOCK_SIZE = 64 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "test filesystem whose mappings are scripted per file range; records every callback";
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        if (!options.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "the scripted filesystem takes no mkfs options, got "
                    + options.keySet());
        }
    }

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        Map<String, String> options = new HashMap<>(context.options());
        int lbs = device.capabilities().logicalBlockSize();
        int blockSize = Math.max(DEFAULT_BLOCK_SIZE, lbs);
        String bs = options.remove(BLOCK_SIZE);
        if (bs != null) {
            try {
                blockSize = Integer.parseInt(bs.trim());
            } catch (NumberFormatException e) {
                throw new JiomapException(Errno.EINVAL, BLOCK_SIZE + "=" + bs + " is not a number of bytes");
            }
            if (Integer.bitCount(blockSize) != 1 || blockSize < lbs || blockSize > MAX_BLOCK_SIZE) {
                throw new JiomapException(Errno.EINVAL, BLOCK_SIZE + "=" + bs + " must be a power of two from the"
                        + " logical block size " + lbs + " of " + device.name() + " to " + MAX_BLOCK_SIZE);
            }
        }
        if (!options.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "unknown scripted filesystem mount options " + options.keySet()
                    + "; known: " + BLOCK_SIZE);
        }
        return new ScriptedFileSystem(device, context.directIo(), blockSize);
    }

    /** No on-disk format, so nothing to recognise: it never claims a device. */
    @Override
    public boolean probe(BlockDevice device) {
        return false;
    }

    /** Nothing on disk to check; clean by construction, and the report says so. */
    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) {
        return new FsckReport(NAME, List.of(), List.of("the scripted filesystem keeps no metadata on " + device.name()));
    }
}
