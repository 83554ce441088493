package io.jiomap.fuse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The kernel's node ids and what they name. The jiomap FileSystem API is path-based, so each node the kernel knows
 * (it learnt it from a LOOKUP, CREATE, MKDIR or READDIRPLUS reply) keeps its current path and how many lookups the
 * kernel has not forgotten yet; a node leaves the table when that count reaches zero. One node per path: a second
 * lookup of the same name returns the same id. Renames move the paths of a node and of everything under it.
 */
final class NodeTable {
    /** One node: its path (null once its name is gone), lookup count, and the times the filesystem does not store. */
    static final class Node {
        final long id;
        /** Guarded by the table. */
        private String path;
        private long lookups;
        /** Serialises what changes the file's size or rewrites partial blocks (read-modify-write, truncate). */
        final ReentrantLock sizeLock = new ReentrantLock();
        volatile long atimeNanos;
        volatile long mtimeNanos;
        volatile long ctimeNanos;

        Node(long id, String path, long nowNanos) {
            this.id = id;
            this.path = path;
            atimeNanos = mtimeNanos = ctimeNanos = nowNanos;
        }
    }

    private final Map<Long, Node> byId = new ConcurrentHashMap<>();
    private final Map<String, Node> byPath = new HashMap<>();
    private final long mountNanos;
    private long nextId = FuseAbi.ROOT_ID + 1;

    NodeTable(long mountNanos) {
        this.mountNanos = mountNanos;
        Node root = new Node(FuseAbi.ROOT_ID, "/", mountNanos);
        root.lookups = 1;
        byId.put(root.id, root);
        byPath.put("/", root);
    }

    /** The node of {@code id}, or null if the kernel has forgotten it (or never had it). */
    Node get(long id) {
        return byId.get(id);
    }

    /** The path of {@code id} now, or null when the node is unknown or its name was removed. */
    synchronized String path(long id) {
        Node n = byId.get(id);
        return n == null ? null : n.path;
    }

    synchronized String path(Node n) {
        return n.path;
    }

    /** The child path of a directory node, or null when the directory is unknown. */
    synchronized String child(long parent, String name) {
        Node n = byId.get(parent);
        if (n == null || n.path == null) {
            return null;
        }
        return n.path.equals("/") ? "/" + name : n.path + "/" + name;
    }

    /** Counts one lookup of {@code path} (what an entry reply tells the kernel) and returns its node. */
    synchronized Node lookedUp(String path) {
        Node n = byPath.get(path);
        if (n == null) {
            n = new Node(nextId++, path, mountNanos);
            byId.put(n.id, n);
            byPath.put(path, n);
        }
        n.lookups++;
        return n;
    }

    /** FORGET: the kernel dropped {@code count} lookups of {@code id}. */
    synchronized void forget(long id, long count) {
        Node n = byId.get(id);
        if (n == null || id == FuseAbi.ROOT_ID) {
            return;
        }
        n.lookups -= count;
        if (n.lookups <= 0) {
            byId.remove(id);
            if (n.path != null && byPath.get(n.path) == n) {
                byPath.remove(n.path);
            }
        }
    }

    /** The name {@code path} was removed (unlink, rmdir): its node keeps its id until forgotten, without a path. */
    synchronized void removed(String path) {
        Node n = byPath.remove(path);
        if (n != null) {
            n.path = null;
        }
    }

    /** {@code from} was renamed to {@code to}: what was at {@code to} lost its name, everything under from moves. */
    synchronized void renamed(String from, String to) {
        removed(to);
        String prefix = from + "/";
        List<Node> moved = new ArrayList<>();
        for (Map.Entry<String, Node> e : byPath.entrySet()) {
            if (e.getKey().equals(from) || e.getKey().startsWith(prefix)) {
                moved.add(e.getValue());
            }
        }
        for (Node n : moved) {
            byPath.remove(n.path);
        }
        for (Node n : moved) {
            n.path = to + n.path.substring(from.length());
            byPath.put(n.path, n);
        }
    }

    /** Nodes the kernel holds now (the root included). */
    int size() {
        return byId.size();
    }
}
