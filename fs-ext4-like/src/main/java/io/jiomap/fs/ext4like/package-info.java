/**
 * The ext4-like filesystem type: mkfs, and the entry to mount and fsck. Private to the bundle; reached only as a
 * {@code FileSystemType} service.
 */
package io.jiomap.fs.ext4like;
