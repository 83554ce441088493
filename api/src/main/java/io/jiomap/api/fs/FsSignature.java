package io.jiomap.api.fs;

import java.util.Objects;

/**
 * A filesystem's signature found on a device, as blkid reports one: whose it is, where its magic lies (the bytes a
 * forced mkfs of another type erases, as wipefs does) and what its superblock says about the filesystem.
 *
 * @param type      the filesystem type's name, e.g. {@code xfs-like}
 * @param offset    device byte where the magic starts, or -1 when the type does not say
 * @param length    bytes of magic from {@code offset}; 0 when the offset is unknown
 * @param sizeBytes the filesystem's size as its superblock records it, or -1 when unknown
 * @param uuid      its UUID as text, or empty when it has none or it is unknown
 * @since 1.3
 */
public record FsSignature(String type, long offset, int length, long sizeBytes, String uuid) {
    public FsSignature {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(uuid, "uuid");
        if (offset < -1 || length < 0 || (offset == -1) != (length == 0)) {
            throw new IllegalArgumentException("magic of " + length + " bytes at " + offset
                    + ": give both an offset >= 0 and a length > 0, or -1 and 0");
        }
    }

    /** A signature known only by its type: what {@link FileSystemType#probe} alone can tell. */
    public static FsSignature unlocated(String type) {
        return new FsSignature(type, -1, 0, -1, "");
    }

    /** Whether the magic's place is known, so that it can be erased. */
    public boolean located() {
        return offset >= 0;
    }
}
