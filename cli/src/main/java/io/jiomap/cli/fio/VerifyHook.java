package io.jiomap.cli.fio;

import io.jiomap.core.Mount;

/**
 * Called by a job thread after its I/O and before it reads its blocks back for {@code verify}: the place to damage
 * data on purpose and prove that verification notices (a test does exactly that).
 */
@FunctionalInterface
public interface VerifyHook {
    VerifyHook NONE = (mount, target) -> { };

    void beforeVerify(Mount mount, VerifyTarget target) throws Exception;

    /**
     * The blocks a job wrote.
     *
     * @param job          the job name
     * @param filename     the file, as opened in the mount
     * @param regionStart  the offset of block 0
     * @param blockSize    the block size
     * @param lastSequence per block, the sequence number of the last write that completed there, 0 if none (a copy)
     */
    record VerifyTarget(String job, String filename, long regionStart, int blockSize, long[] lastSequence) {
        /** The file offset of the first block that was written, or -1. */
        public long firstWrittenOffset() {
            for (int i = 0; i < lastSequence.length; i++) {
                if (lastSequence[i] != 0) {
                    return regionStart + (long) i * blockSize;
                }
            }
            return -1;
        }
    }
}
