/**
 * The ext4-like filesystem type: mkfs, mount (journal recovery, orphan processing), the namespace, and inodes with
 * ext4's direct-I/O mapping and locking. Private to the bundle; reached only as a {@code FileSystemType} service.
 */
package io.jiomap.fs.ext4like;
