package io.jiomap.api.vfs;

/**
 * A change of an inode's attributes ({@code notify_change}): {@link #valid} says which fields apply; the numbering
 * is the FUSE protocol's {@code FATTR_*}, so a bridge passes its mask through. Whatever changes, the filesystem
 * sets ctime to now; a size change also sets mtime, as truncate(2) does.
 *
 * @param valid which fields apply ({@link #MODE}, {@link #UID}, ...)
 * @param mode  the new permission bits (07777)
 * @param uid   the new owner
 * @param gid   the new group
 * @param size  the new size (regular files only; the filesystem truncates or extends with a hole)
 * @param atime the new access time, ns since the epoch (with {@link #ATIME}; {@link #ATIME_NOW} means now)
 * @param mtime the new modification time, ns since the epoch (with {@link #MTIME}; {@link #MTIME_NOW} means now)
 */
public record SetAttr(int valid, int mode, int uid, int gid, long size, long atime, long mtime) {
    public static final int MODE = 1;
    public static final int UID = 1 << 1;
    public static final int GID = 1 << 2;
    public static final int SIZE = 1 << 3;
    public static final int ATIME = 1 << 4;
    public static final int MTIME = 1 << 5;
    public static final int ATIME_NOW = 1 << 7;
    public static final int MTIME_NOW = 1 << 8;
    /** Every bit this record gives a meaning to. */
    public static final int KNOWN = MODE | UID | GID | SIZE | ATIME | MTIME | ATIME_NOW | MTIME_NOW;

    public SetAttr {
        if ((mode & ~FileStat.MODE_MASK) != 0) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has bits outside 07777");
        }
    }

    public boolean has(int field) {
        return (valid & field) != 0;
    }

    public static SetAttr mode(int mode) {
        return new SetAttr(MODE, mode, 0, 0, 0, 0, 0);
    }

    /** chown: {@code -1} leaves that id as it is, as chown(2) does. */
    public static SetAttr owner(int uid, int gid) {
        return new SetAttr((uid == -1 ? 0 : UID) | (gid == -1 ? 0 : GID), 0, uid, gid, 0, 0, 0);
    }

    public static SetAttr size(long size) {
        return new SetAttr(SIZE, 0, 0, 0, size, 0, 0);
    }

    public static SetAttr times(long atime, long mtime) {
        return new SetAttr(ATIME | MTIME, 0, 0, 0, 0, atime, mtime);
    }
}
