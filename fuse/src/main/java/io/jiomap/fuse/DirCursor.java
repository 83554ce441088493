package io.jiomap.fuse;

import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.core.vfs.Namespace;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a READDIR of one open directory continues. The offset the kernel sends back is a position in the listing
 * ("." is 0, ".." is 1, the filesystem's entries follow in name order); the filesystem continues a listing after a
 * name, so the cursor remembers the names of its last reply by position. A request at one of those positions (the
 * usual case: after the last entry, or after the last one a program's buffer took) continues after that name; any
 * other position (a seekdir to a position returned earlier) walks the listing from the start.
 */
final class DirCursor {
    /** Entries asked of the filesystem at a time. */
    private static final int PAGE = 128;

    final long dir;
    /** Position of the first name in {@link #replied}. */
    private long repliedFrom;
    private final List<String> replied = new ArrayList<>();

    DirCursor(long dir) {
        this.dir = dir;
    }

    /** What {@link #next} hands over for each entry; false when it does not fit the reply (it is not consumed). */
    interface Sink {
        boolean accept(DirEntry entry, long position) throws JiomapException;
    }

    /**
     * Hands the filesystem's entries from {@code position} (2 = the first after "." and "..") to {@code sink} until
     * it refuses one or the listing ends.
     */
    synchronized void next(Namespace ns, long position, Sink sink) throws JiomapException {
        String after = nameBefore(ns, position);
        List<String> names = new ArrayList<>();
        long at = position;
        try {
            while (true) {
                List<DirEntry> page = ns.readdir(dir, after, PAGE);
                for (DirEntry e : page) {
                    if (!sink.accept(e, at)) {
                        return;
                    }
                    names.add(e.name());
                    at++;
                    after = e.name();
                }
                if (page.size() < PAGE) {
                    return;
                }
            }
        } finally {
            if (!names.isEmpty()) {
                replied.clear();
                replied.addAll(names);
                repliedFrom = position;
            }
        }
    }

    /** The name at {@code position - 1}, or null when the listing starts at {@code position}. */
    private String nameBefore(Namespace ns, long position) throws JiomapException {
        long want = position - 1;
        if (want < 2) {
            return null;
        }
        if (want >= repliedFrom && want < repliedFrom + replied.size()) {
            return replied.get((int) (want - repliedFrom));
        }
        String after = null;
        long at = 2;
        while (true) {
            List<DirEntry> page = ns.readdir(dir, after, PAGE);
            for (DirEntry e : page) {
                if (at == want) {
                    return e.name();
                }
                at++;
                after = e.name();
            }
            if (page.size() < PAGE) {
                // Past the end (entries went since): the listing continues after the last name there is.
                return after;
            }
        }
    }
}
