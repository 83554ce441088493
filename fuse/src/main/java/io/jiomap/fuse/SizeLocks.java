package io.jiomap.fuse;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per inode the bridge holds open, serialising what changes a file's size or rewrites its partial blocks
 * (the read-modify-write of an unaligned write, truncate, fallocate), since those and the size fix-up after an
 * unaligned write must not interleave. An inode's lock lives from its first OPEN or CREATE to its last RELEASE.
 */
final class SizeLocks {
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int opens;
    }

    private final Map<Long, Entry> byIno = new HashMap<>();

    /** Counts one open of {@code ino} and returns its lock. */
    synchronized ReentrantLock opened(long ino) {
        Entry e = byIno.computeIfAbsent(ino, k -> new Entry());
        e.opens++;
        return e.lock;
    }

    /** Ends one open of {@code ino}; its lock goes with the last. */
    synchronized void released(long ino) {
        Entry e = byIno.get(ino);
        if (e != null && --e.opens == 0) {
            byIno.remove(ino);
        }
    }

    /** The lock of {@code ino} while the bridge holds it open, else null (no write of the bridge can be running). */
    synchronized ReentrantLock of(long ino) {
        Entry e = byIno.get(ino);
        return e == null ? null : e.lock;
    }
}
