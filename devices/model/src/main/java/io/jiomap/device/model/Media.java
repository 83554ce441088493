package io.jiomap.device.model;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import java.io.IOException;

/**
 * What a command does to the data: the backing media, the optional volatile write cache in front of it, and whether
 * FUA is honoured; every device that keeps data (the modelled devices, the memory device) executes its bios here, so
 * the write cache is modelled once. Executes one validated bio and says how it ended; never throws for anything a bio
 * can cause, because an I/O error is an ordinary result that must reach the bio's completion.
 *
 * <p>The cache rules ({@code BlockDevice} contract; docs/devices.md, "Write cache, FUA and flush"): without a cache
 * every write goes to the media and FUA and flushes have nothing to do; with one, a write lands in the cache unless it
 * is FUA on a device that honours FUA, PREFLUSH writes the cache back first, and FLUSH writes it back. A FUA write on a
 * device that does not honour FUA is cached like any other: the block layer is expected to have turned it into write +
 * flush. A DISCARD makes its range read as zeros, through the cache to the media at once (a discard reaching the
 * media before a flush is one of the outcomes a power cut may show).
 */
public final class Media implements BioExecutor {
    private final Backing backing;
    private final WriteCache cache;
    private final boolean honourFua;
    private boolean shutDown;

    /**
     * @param volatileWriteCache whether completed writes sit in a cache until flushed
     * @param honourFua          whether a FUA write goes to the media (only meaningful with the cache)
     */
    public Media(Backing backing, long capacity, int logicalBlockSize, boolean volatileWriteCache,
                 boolean honourFua) {
        this.backing = backing;
        this.cache = volatileWriteCache ? new WriteCache(backing, capacity, logicalBlockSize) : null;
        this.honourFua = honourFua;
    }

    /**
     * @return 0; EIO on a media error; EFAULT when the bio's memory cannot be used (its arena is closed, it is
     *         confined to another thread, it is read-only, it is shorter than the bio says, it maps a truncated file);
     *         ENOMEM when the media cannot allocate what a write needs; EIO on a defect of this device, reported to the
     *         thread's uncaught-exception handler so it is not silent
     */
    @Override
    public int execute(Bio bio) {
        try {
            switch (bio.op()) {
                case READ -> read(bio);
                case WRITE -> write(bio);
                case FLUSH -> {
                    if (cache != null) {
                        cache.flush();
                    }
                }
                case DISCARD -> {
                    if (cache == null) {
                        backing.discard(bio.address(), bio.length());
                    } else {
                        cache.discard(bio.address(), bio.length());
                    }
                }
            }
            return 0;
        } catch (IOException e) {
            return Errno.EIO;
        } catch (IllegalStateException | WrongThreadException | IndexOutOfBoundsException
                 | UnsupportedOperationException | IllegalArgumentException e) {
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

    private void read(Bio bio) throws IOException {
        if (cache == null) {
            backing.read(bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
        } else {
            cache.read(bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
        }
    }

    private void write(Bio bio) throws IOException {
        if (cache == null) {
            backing.write(bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
            return;
        }
        if (bio.hasFlag(Bio.PREFLUSH)) {
            cache.flush();
        }
        if (honourFua && bio.hasFlag(Bio.FUA)) {
            cache.writeThrough(bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
        } else {
            cache.write(bio.address(), bio.segment(), bio.segmentOffset(), bio.length());
        }
    }

    /** Drops what the cache had not made durable. */
    public void powerCut() {
        if (cache != null) {
            cache.powerCut();
        }
    }

    /**
     * Releases everything once no thread can touch the media. An orderly shutdown of a device whose media outlives
     * it (an image file) writes the cache back first, as a drive flushes its cache on a shutdown notification. Later
     * calls do nothing.
     */
    public synchronized void shutdown() throws IOException {
        if (shutDown) {
            return;
        }
        shutDown = true;
        try {
            if (cache != null && backing.persistent()) {
                cache.flush();
            }
        } finally {
            try {
                backing.close();
            } finally {
                if (cache != null) {
                    cache.free();
                }
            }
        }
    }
}
