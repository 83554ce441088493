package io.jiomap.core;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileKind;
import io.jiomap.api.vfs.FileStat;
import io.jiomap.core.vfs.Namespace;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One walk of an absolute path through a {@link Namespace}: "." and ".." are resolved, and a symbolic link met on
 * the way is followed (its target replaces it; an absolute target starts again at the root), at most
 * {@value #MAX_SYMLINKS} of them per walk (ELOOP). What is left when only the last name remains is the directory
 * that holds it.
 */
final class PathWalk {
    /** Symbolic links one walk follows at most, as Linux (MAXSYMLINKS). */
    static final int MAX_SYMLINKS = 40;

    private final Namespace ns;
    private final String op;
    private final String path;
    private final Deque<String> parts = new ArrayDeque<>();
    private long dir;
    private int links;

    PathWalk(Namespace ns, String op, String path) throws JiomapException {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new JiomapException(Errno.EINVAL, op + " \"" + path + "\": paths are absolute (start with '/')");
        }
        this.ns = ns;
        this.op = op;
        this.path = path;
        this.dir = ns.rootIno();
        push(path);
    }

    /** The directory {@link #toParent} reached. */
    long dir() {
        return dir;
    }

    /** Resolves every component but the last and returns the last ("." for the root itself). */
    String toParent() throws JiomapException {
        while (parts.size() > 1) {
            FileStat st = lookup(parts.removeFirst());
            if (st.kind() == FileKind.SYMLINK) {
                follow(st);
            } else if (st.isDirectory()) {
                dir = st.ino();
            } else {
                throw new JiomapException(Errno.ENOTDIR, op + " " + path + ": a component on the way is a "
                        + st.kind().name().toLowerCase() + ", not a directory");
            }
        }
        return parts.isEmpty() ? "." : parts.removeFirst();
    }

    /** What the whole path names; a symbolic link at the end is followed when {@code followLast}. */
    FileStat resolve(boolean followLast) throws JiomapException {
        while (true) {
            FileStat st = lookup(toParent());
            if (!followLast || st.kind() != FileKind.SYMLINK) {
                return st;
            }
            follow(st);
        }
    }

    /** Goes on with the target of symbolic link {@code link} in place of the link. */
    void follow(FileStat link) throws JiomapException {
        if (++links > MAX_SYMLINKS) {
            throw new JiomapException(Errno.ELOOP, op + " " + path + ": more than " + MAX_SYMLINKS
                    + " symbolic links on the way (a loop?)");
        }
        String target = ns.readlink(link.ino());
        if (target.startsWith("/")) {
            dir = ns.rootIno();
        }
        push(target);
    }

    private FileStat lookup(String name) throws JiomapException {
        try {
            return ns.lookup(dir, name);
        } catch (JiomapException e) {
            throw new JiomapException(e.errno(), op + " " + path + ": " + e.getMessage(), e);
        }
    }

    private void push(String target) {
        String[] names = target.split("/");
        for (int i = names.length - 1; i >= 0; i--) {
            if (!names[i].isEmpty()) {
                parts.addFirst(names[i]);
            }
        }
    }
}
