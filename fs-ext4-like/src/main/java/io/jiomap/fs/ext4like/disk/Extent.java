package io.jiomap.fs.ext4like.disk;

/**
 * A leaf extent: {@code length} blocks from logical block {@code logical} at physical block {@code physical}.
 * Unwritten extents read as zeros until converted. Limits are ext4's: 32768 initialized, 32767 unwritten blocks.
 */
public record Extent(long logical, int length, long physical, boolean unwritten) {
    public static final int MAX_INIT = 32768;
    public static final int MAX_UNWRITTEN = 32767;

    public long end() {
        return logical + length;
    }

    public long physicalAt(long lblk) {
        return physical + (lblk - logical);
    }

    public static int maxLength(boolean unwritten) {
        return unwritten ? MAX_UNWRITTEN : MAX_INIT;
    }

    /** ee_len as stored: above 32768 means unwritten, length = ee_len - 32768 (ext4's encoding). */
    public int encodedLength() {
        return unwritten ? length + MAX_INIT : length;
    }
}
