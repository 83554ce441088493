package io.jiomap.api.fs;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import java.util.Map;
import java.util.Optional;

/**
 * A filesystem type, registered as an OSGi service with the property {@value #TYPE_PROPERTY} (or found with
 * {@link java.util.ServiceLoader} outside OSGi).
 */
public interface FileSystemType {
    /** Service property naming the filesystem type. */
    String TYPE_PROPERTY = "jiomap.fs.type";

    /** The type name used on the command line, e.g. {@code raw}. */
    String name();

    /** One line saying what it is. */
    String description();

    /** Writes an empty filesystem to the device. Unknown options are refused with EINVAL naming them. */
    void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException;

    /**
     * The mkfs options a tool that makes a fresh filesystem for a mount with {@code mountOptions} must pass (the
     * {@code bench} and {@code fio} commands, the shell's mount with mkfs). Most types need none; a type that wraps
     * another one needs to know which type to make.
     *
     * @since 1.2
     */
    default Map<String, String> mkfsOptionsFor(Map<String, String> mountOptions) {
        return Map.of();
    }

    /**
     * Mounts the filesystem on the device, running recovery if needed. A device that does not hold this
     * filesystem, or holds a corrupt one, is refused with a message that says what is wrong.
     */
    FileSystem mount(BlockDevice device, MountContext context) throws JiomapException;

    /**
     * Whether the device holds a filesystem of this type (its superblock magic), so that mount and fsck can pick the
     * type from the image as the kernel's blkid does. Foreign or blank content answers false; only an I/O error
     * throws. A type without an on-disk signature (raw) never claims a device.
     */
    boolean probe(BlockDevice device) throws JiomapException;

    /**
     * What {@link #probe} finds, in detail: where the magic lies and the filesystem's size and UUID as its superblock
     * records them; empty exactly when probe answers false. The default knows only probe's answer, so its signature
     * has no place; a type with an on-disk magic overrides it, so that a forced mkfs of another type can erase that
     * magic (wipefs) and the device is never claimed by two types.
     *
     * @since 1.3
     */
    default Optional<FsSignature> signature(BlockDevice device) throws JiomapException {
        return probe(device) ? Optional.of(FsSignature.unlocated(name())) : Optional.empty();
    }

    /**
     * The type whose {@link #signature} marks a filesystem made for a mount with {@code mountOptions}: a tool that
     * formats only blank devices (bench, fio, the shell's mount) mounts a device carrying it as it is and refuses one
     * carrying another type's. This type's own name by default; the wrapped type's for a type that wraps another;
     * empty for a type without an on-disk format (raw), whose mkfs writes nothing and which mounts any device.
     *
     * @since 1.3
     */
    default Optional<String> onDiskType(Map<String, String> mountOptions) {
        return Optional.of(name());
    }

    /**
     * Checks the unmounted filesystem on the device without changing it (xfs_repair -n, e2fsck -fn) and reports
     * every inconsistency found. An image whose log or journal still needs replaying is reported as such (mount it
     * first); a device that does not hold this filesystem is refused with EINVAL.
     */
    FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException;
}
