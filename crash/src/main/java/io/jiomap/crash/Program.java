package io.jiomap.crash;

import io.jiomap.crash.oracle.Model;

/**
 * The op source of one workload run. It sees the model (the files that exist, their sizes) and the geometry, so a
 * generated op always fits the state it runs in; the same program on the same geometry yields the same ops.
 */
interface Program {
    /** The next op, or null when the workload is done. */
    Op next(Model model, Geometry geometry);

    /**
     * The sizes the workload runs with.
     *
     * @param blockSize        the filesystem block size: the unit of block-aligned writes, clones and allocation
     * @param logicalBlockSize the device's logical block size: the unit of every direct I/O
     * @param maxFileSize      generated ops keep every file within this size
     * @param files            how many files the workload starts with
     */
    record Geometry(int blockSize, int logicalBlockSize, long maxFileSize, int files) {
        public Geometry {
            if (logicalBlockSize % 512 != 0 || blockSize % logicalBlockSize != 0) {
                throw new IllegalArgumentException("block size " + blockSize + " must be a multiple of the logical"
                        + " block size " + logicalBlockSize + ", itself a multiple of 512");
            }
            maxFileSize = maxFileSize / blockSize * blockSize;
        }

        long roundUp(long size, long unit) {
            return (size + unit - 1) / unit * unit;
        }
    }
}
