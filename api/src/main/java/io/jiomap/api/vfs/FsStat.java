package io.jiomap.api.vfs;

/**
 * What {@code statfs} reports.
 *
 * @param blockSize   the allocation unit in bytes
 * @param totalBlocks blocks usable for data and metadata after the fixed layout (superblocks, log, tables)
 * @param freeBlocks  blocks a new allocation can take right now
 * @param totalInodes inodes the filesystem can hold now (dynamic allocators report their current limit)
 * @param freeInodes  inodes still free
 */
public record FsStat(int blockSize, long totalBlocks, long freeBlocks, long totalInodes, long freeInodes) {
}
