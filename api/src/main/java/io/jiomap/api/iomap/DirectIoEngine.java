package io.jiomap.api.iomap;

import io.jiomap.api.vfs.Iocb;
import java.lang.foreign.MemorySegment;

/**
 * The generic direct-I/O path ({@code iomap_dio_rw}), which the core implements and hands to each filesystem at
 * mount. A filesystem's read and write entry points take their locks, choose the flags and then call this.
 */
public interface DirectIoEngine {
    /** Wait for completion even for an asynchronous iocb (IOMAP_DIO_FORCE_WAIT). */
    int FORCE_WAIT = 1;
    /** Return -EAGAIN unless the write is a pure overwrite inside EOF (IOMAP_DIO_OVERWRITE_ONLY). */
    int OVERWRITE_ONLY = 1 << 1;
    /** On -EFAULT after progress, return the partial count (IOMAP_DIO_PARTIAL). */
    int PARTIAL = 1 << 2;

    /**
     * Reads or writes ({@link Iocb#WRITE}) {@code length} bytes at {@code iocb.position()} from or to
     * {@code buffer[bufferOffset...]}.
     *
     * <p>One call is one request of the {@link IomapIter iteration object}: {@code fsPrivate} is what its private
     * slot holds when the request starts (the kernel's {@code iomap_dio_rw(..., private, ...)}), for state the
     * filesystem prepared before the call, such as a reservation. When this returns anything but
     * {@code -Errno.EIOCBQUEUED}, the request is over: its {@code dops} end_io has run, or never will (the request was
     * refused before it started); with {@code -EIOCBQUEUED} end_io runs exactly once, later, on another thread or
     * in the issuer, and the caller must not touch {@code fsPrivate} any more.
     *
     * @param dops       the completion hook for writes, or {@code null} (reads)
     * @param fsPrivate  the private slot's value at the start of the request, or {@code null}
     * @param doneBefore bytes an earlier partial call already did for this request; added to the result
     * @return the byte count when the I/O completed before this returned, {@code -Errno.EIOCBQUEUED} when the
     *         iocb's completion will report it later, or a negative errno
     */
    long rw(Iocb iocb, MemorySegment buffer, long bufferOffset, long length, IomapOps ops, DioOps dops,
            int dioFlags, Object fsPrivate, long doneBefore);
}
