/**
 * The inodes of a mounted ext4-like filesystem, one job a class: the inode and its block map ({@code Ext4Inode}),
 * direct reads and writes with ext4's locking ({@code FileDio}), the iomap ops ({@code IomapBegin}), end_io
 * ({@code WriteEndIo}) paid for by a write's {@code Reservation}, truncate and fallocate ({@code SpaceOps}), the inode
 * table and the orphan list. A method whose name ends in {@code Locked} runs with the journal's metadata lock held.
 */
package io.jiomap.fs.ext4like.inode;
