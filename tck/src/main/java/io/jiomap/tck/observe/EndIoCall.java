package io.jiomap.tck.observe;

import io.jiomap.api.iomap.DioOps;

/**
 * One call of a filesystem's direct-I/O {@code end_io}.
 *
 * @param ino           the inode
 * @param iocbPosition {@code iocb.position()} when end_io ran: still the request's start (docs/dio-contract.md,
 * "B5 step 1")
 * @param size          bytes submitted
 * @param error         0 or the first positive errno
 * @param flags         {@link DioOps#UNWRITTEN} | {@link DioOps#COW}
 * @param result        what end_io returned
 * @param thread        the thread it ran on
 */
public record EndIoCall(long ino, long iocbPosition, long size, int error, int flags, long result, String thread) {

    public boolean unwritten() {
        return (flags & DioOps.UNWRITTEN) != 0;
    }

    public boolean cow() {
        return (flags & DioOps.COW) != 0;
    }
}
