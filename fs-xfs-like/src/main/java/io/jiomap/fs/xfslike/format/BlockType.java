package io.jiomap.fs.xfslike.format;

/** The kinds of metadata block (FORMAT.md "Metadata blocks"); the code is stored in every block header. */
public enum BlockType {
    CHECKPOINT(1, "checkpoint header"),
    AG_HEADER(2, "AG header"),
    BNO(3, "free space by block"),
    CNT(4, "free space by size"),
    INOBT(5, "inode allocation index"),
    REFCOUNT(6, "reference count index"),
    INODES(7, "inode records"),
    BMAP(8, "extent map"),
    DIR(9, "directory entries"),
    LOG(10, "log"),
    EXTRAS(11, "inode extras (symlink targets, extended attributes)");

    private final int code;
    private final String description;

    BlockType(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static BlockType of(int code) {
        for (BlockType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** "free space by block of AG 2", "extent map of inode 4294967360". */
    public String describe(long owner) {
        return switch (this) {
            case AG_HEADER, BNO, CNT, INOBT, REFCOUNT -> description + " of AG " + owner;
            case BMAP, DIR -> description + " of inode " + owner;
            default -> description;
        };
    }
}
