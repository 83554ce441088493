package io.jiomap.tck.scripted;

/**
 * One drain of an inode's direct I/O ({@code inode_dio_wait}) by the scripted filesystem.
 *
 * @param operation      what drained: {@code truncate}, {@code fallocate} or {@code unmount}
 * @param inFlightBefore direct I/Os in flight when the drain started (deferred completions included)
 * @param inFlightAfter  direct I/Os in flight when it returned: 0 unless the engine broke the drain
 * @param thread         the draining thread
 */
public record DrainCall(String operation, int inFlightBefore, int inFlightAfter, String thread) {
}
