package io.jiomap.crash.oracle;

/**
 * The inode attributes the oracle checks after a crash: each must hold a value it had (never garbage), and after a
 * persistence point that covers the inode's attributes (fsync, sync) that value or a later one. Times count only as
 * set explicitly (utimens): a time a write, truncate or read changed is lazytime and not checked until the next
 * explicit set.
 */
public enum Attribute {
    MODE,
    UID,
    GID,
    ATIME,
    MTIME
}
