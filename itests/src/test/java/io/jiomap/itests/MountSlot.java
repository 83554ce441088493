package io.jiomap.itests;

import io.jiomap.core.Mount;

/**
 * The mount a load currently writes to, replaced by whoever remounts after a plugin update. Each replacement gets a
 * new epoch, so a writer whose I/O failed on one mount waits for a mount of a later epoch instead of retrying on the
 * dead one.
 */
final class MountSlot {
    /** A mount and the epoch it was published in. */
    record Mounted(Mount mount, long epoch) {
    }

    private Mount mount;
    private long epoch;
    private boolean closed;

    MountSlot(Mount first) {
        this.mount = first;
    }

    synchronized Mounted current() {
        return new Mounted(mount, epoch);
    }

    /** Publishes the remounted filesystem and wakes the writers waiting for it. */
    synchronized void replace(Mount next) {
        mount = next;
        epoch++;
        notifyAll();
    }

    /** No more mounts will come: waiting writers return null. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /**
     * The first mount published after {@code failedEpoch}, waiting for the remount if need be.
     *
     * @return null once {@link #close()} was called
     */
    synchronized Mounted after(long failedEpoch) throws InterruptedException {
        while (epoch <= failedEpoch && !closed) {
            wait();
        }
        return closed ? null : new Mounted(mount, epoch);
    }
}
