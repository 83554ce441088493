package io.jiomap.device.memory;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.device.model.BioExecutor;

/**
 * Moves one validated bio's data between its memory and the store and says how it ended. It never throws for
 * anything a bio can cause, because an I/O error is an ordinary result that must reach the bio's completion.
 */
final class StoreExecutor implements BioExecutor {
    private final ChunkStore store;
    /** With {@code fua=off} the device does not honour FUA, so a FUA write is cached like any other (QUEUE_FLAG_FUA). */
    private final boolean honourFua;

    StoreExecutor(ChunkStore store, boolean honourFua) {
        this.store = store;
        this.honourFua = honourFua;
    }

    /**
     * Executes the bio.
     *
     * @return 0, EFAULT when the bio's memory cannot be used (its arena is closed, it is confined to another thread,
     *         it is read-only, it maps a truncated file), ENOMEM when the device cannot allocate the chunk to write into, EIO on a defect of
     *         this device (reported to the thread's uncaught-exception handler, so it is not silent)
     */
    @Override
    public int execute(Bio bio) {
        try {
            switch (bio.op()) {
                case READ -> store.read(bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
                case WRITE -> store.write(bio.address(), bio.segment(), bio.segmentOffset(), bio.length(),
                        honourFua && bio.hasFlag(Bio.FUA), bio.hasFlag(Bio.PREFLUSH));
                case FLUSH -> store.flush();
            }
            return 0;
        } catch (IllegalStateException | WrongThreadException | IndexOutOfBoundsException
                 | UnsupportedOperationException e) {
            return Errno.EFAULT;
        } catch (InternalError e) {
            // "a fault occurred in an unsafe memory access": the bio's memory maps a file that was truncated.
            return Errno.EFAULT;
        } catch (OutOfMemoryError e) {
            return Errno.ENOMEM;
        } catch (RuntimeException e) {
            Thread current = Thread.currentThread();
            current.getUncaughtExceptionHandler().uncaughtException(current, e);
            return Errno.EIO;
        }
    }
}
