package io.jiomap.fs.ext4like.meta;

import io.jiomap.api.Errno;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.ExtentNode;
import io.jiomap.fs.ext4like.disk.FormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An inode's extent tree (FORMAT.md section 5), held in memory and written through to its blocks: the root in the
 * inode (4 entries), index and leaf nodes in blocks. Every change is one {@link #replace}: the leaves overlapping
 * the range are rewritten with the new extents, overflowing nodes split into more nodes (up to the root, which
 * grows the tree in depth by moving its entries into a new block), emptied nodes are freed (their blocks revoked),
 * and a root left with one child that fits pulls it back up. Index keys are the first logical block of the child,
 * so they always cover their children.
 *
 * <p>An edit and a lookup visit only the leaves they touch and the path from them to the root (moving sideways
 * through parent links), never the whole tree: a file of a hundred thousand extents is edited on every allocating
 * write, every end_io conversion and every punch, and only those nodes are rewritten and journaled.
 *
 * <p>Callers hold the metadata lock and a journal handle.
 */
public final class ExtentTree {
    /** Where the tree's blocks come from and go. */
    public interface Store {
        byte[] read(long block);

        /** A block for a new node near {@code goal}. @throws FsError ENOSPC */
        long allocate(long goal);

        /** Writes a node block (sealed) into the cache and dirties it. */
        void write(long block, byte[] data);

        /** Frees a node block (revoked). */
        void free(long block);

        /** The root changed: re-encode the inode. */
        void rootChanged();
    }

    /**
     * A node in memory. Every assignment of its entries goes through {@link #setExtents}, {@link #setKids} or
     * {@link #takeEntriesOf}, which keep the keys a lookup searches: a leaf's start blocks, and an index node's keys
     * of its children (the ei_block of its on-disk entries), so a lookup never walks down to a child to learn its
     * key. A leaf holds its extents packed in two arrays, no object per extent: a lookup through a tree far larger
     * than the caches pays for every reference it follows, and a million extent objects cost the heap 40 bytes
     * each. The editing code works on {@link Extent} lists made from and packed back into the arrays.
     */
    private static final class Node {
        private static final long[] NO_LONGS = new long[0];

        long block;
        int depth;
        /** Leaf: the logical block of each extent. Index: the key of each child. Same order, same count. */
        long[] keys = NO_LONGS;
        /** Leaf: each extent's physical block shifted left by 16, or-ed with its ee_len as stored. */
        long[] packed = NO_LONGS;
        Node[] kidArr = new Node[0];
        List<Node> kids = Arrays.asList(kidArr);
        /** The index node holding this one, null for the root; every change keeps it, nothing recomputes it. */
        Node parent;

        /** The first logical block this node maps, as its parent's entry holds it (0 when it maps nothing). */
        long key() {
            return keys.length == 0 ? 0 : keys[0];
        }

        /** Extents of a leaf, children of an index node. */
        int count() {
            return keys.length;
        }

        /** A leaf's {@code i}th extent, as an object. */
        Extent extent(int i) {
            long p = packed[i];
            int stored = (int) (p & 0xFFFF);
            boolean unwritten = stored > Extent.MAX_INIT;
            return new Extent(keys[i], unwritten ? stored - Extent.MAX_INIT : stored, p >>> 16, unwritten);
        }

        /** A leaf's extents, as objects (a copy). */
        List<Extent> extents() {
            List<Extent> out = new ArrayList<>(keys.length);
            for (int i = 0; i < keys.length; i++) {
                out.add(extent(i));
            }
            return out;
        }

        void setExtents(List<Extent> entries) {
            long[] k = new long[entries.size()];
            long[] p = new long[k.length];
            for (int i = 0; i < k.length; i++) {
                Extent e = entries.get(i);
                k[i] = e.logical();
                p[i] = e.physical() << 16 | e.encodedLength();
            }
            keys = k;
            packed = p;
        }

        /** Takes {@code children} as this node's kids (their keys must be current) and links them to it. */
        void setKids(List<Node> children) {
            kidArr = children.toArray(new Node[0]);
            kids = Arrays.asList(kidArr);
            long[] k = new long[kidArr.length];
            for (int i = 0; i < k.length; i++) {
                k[i] = kidArr[i].key();
                kidArr[i].parent = this;
            }
            keys = k;
            packed = NO_LONGS;
        }

        /** Takes the entries of {@code other} (pulled up into this node) and becomes their kids' parent. */
        void takeEntriesOf(Node other) {
            depth = other.depth;
            keys = other.keys;
            packed = other.packed;
            kidArr = other.kidArr;
            kids = other.kids;
            for (Node k : kidArr) {
                k.parent = this;
            }
        }
    }

    /**
     * One extent's fields, filled by {@link #findFrom(long, Found)}: a caller keeps one and reuses it, so a lookup
     * on the I/O path allocates nothing.
     */
    public static final class Found {
        private long logical;
        private int length;
        private long physical;
        private boolean unwritten;

        public long logical() {
            return logical;
        }

        public int length() {
            return length;
        }

        public long physical() {
            return physical;
        }

        public boolean unwritten() {
            return unwritten;
        }

        public long end() {
            return logical + length;
        }

        public long physicalAt(long lblk) {
            return physical + (lblk - logical);
        }

        public Extent toExtent() {
            return new Extent(logical, length, physical, unwritten);
        }

        private void set(Node leaf, int i) {
            long p = leaf.packed[i];
            int stored = (int) (p & 0xFFFF);
            logical = leaf.keys[i];
            unwritten = stored > Extent.MAX_INIT;
            length = unwritten ? stored - Extent.MAX_INIT : stored;
            physical = p >>> 16;
        }
    }

    /** Keys per group of {@link #lastAtOrBefore}: two cache lines. */
    private static final int STRIDE = 16;

    private final long ino;
    private final int nodeMax;
    private final int blockSize;
    private final Store store;
    private Node root;
    /** Node blocks allocated minus node blocks freed by the running {@link #replace}. */
    private int nodeDelta;

    private ExtentTree(long ino, int blockSize, Store store) {
        this.ino = ino;
        this.blockSize = blockSize;
        this.nodeMax = ExtentNode.blockMax(blockSize);
        this.store = store;
    }

    /** An empty tree (a new inode). */
    public static ExtentTree empty(long ino, int blockSize, Store store) {
        ExtentTree t = new ExtentTree(ino, blockSize, store);
        t.root = new Node();
        return t;
    }

    /** Reads the tree rooted in {@code iBlock}, checking every node. */
    public static ExtentTree load(long ino, byte[] iBlock, int blockSize, Store store) throws FormatException {
        ExtentTree t = new ExtentTree(ino, blockSize, store);
        ExtentNode.Decoded d = ExtentNode.decode(iBlock, 0, ExtentNode.ROOT_MAX, -1, "inode " + ino + " extent root");
        t.root = t.build(d, 0, null);
        return t;
    }

    private Node build(ExtentNode.Decoded d, long block, Node parent) throws FormatException {
        Node n = new Node();
        n.block = block;
        n.depth = d.depth();
        n.parent = parent;
        if (d.depth() == 0) {
            n.setExtents(d.extents());
        } else {
            List<Node> kids = new ArrayList<>();
            for (ExtentNode.Index idx : d.indexes()) {
                byte[] b = store.read(idx.child());
                ExtentNode.Decoded cd = ExtentNode.decode(b, 0, nodeMax, ino, "extent block " + idx.child()
                        + " of inode " + ino);
                if (cd.depth() != d.depth() - 1) {
                    throw new FormatException("extent block " + idx.child() + " of inode " + ino + " has depth "
                            + cd.depth() + " under a node of depth " + d.depth());
                }
                kids.add(build(cd, idx.child(), n));
            }
            n.setKids(kids);
        }
        return n;
    }

    public int depth() {
        return root.depth;
    }

    /** Encodes the root into the inode's 60-byte i_block. */
    public void encodeRoot(byte[] iBlock) {
        if (root.depth == 0) {
            ExtentNode.encodeLeaf(iBlock, 0, ExtentNode.ROOT_MAX, root.extents());
        } else {
            ExtentNode.encodeIndex(iBlock, 0, ExtentNode.ROOT_MAX, root.depth, indexes(root));
        }
    }

    private static List<ExtentNode.Index> indexes(Node n) {
        List<ExtentNode.Index> out = new ArrayList<>(n.kids.size());
        for (Node k : n.kids) {
            out.add(new ExtentNode.Index(k.key(), k.block));
        }
        return out;
    }

    /** Every extent in logical order. */
    public List<Extent> extents() {
        List<Extent> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    /**
     * The extents overlapping {@code [start, end)}, in logical order, visiting only the subtrees that can hold them:
     * the per-I/O paths (conversion at end_io, unmapping) must not walk a tree of a hundred thousand extents.
     */
    public List<Extent> overlapping(long start, long end) {
        List<Extent> out = new ArrayList<>();
        overlapping(root, start, end, out);
        return out;
    }

    private static void overlapping(Node n, long start, long end, List<Extent> out) {
        if (n.depth == 0) {
            for (int i = 0; i < n.keys.length && n.keys[i] < end; i++) {
                Extent e = n.extent(i);
                if (e.end() > start) {
                    out.add(e);
                }
            }
            return;
        }
        List<Node> kids = n.kids;
        if (kids.isEmpty()) {
            return;
        }
        // A leaf can be left empty by a punch, so a child's first extent is looked up, not taken from its key.
        int i = 0;
        long first = firstLogical(kids.getFirst());
        while (i < kids.size()) {
            int j = i + 1;
            long next = -1;
            while (j < kids.size() && (next = firstLogical(kids.get(j))) < 0) {
                j++;
            }
            if (first >= 0) {
                if (first >= end) {
                    return;
                }
                // Extents do not overlap: every extent of a child ends at or before the next child's first one.
                if (j >= kids.size() || next > start) {
                    overlapping(kids.get(i), start, end, out);
                }
            }
            i = j;
            first = next;
        }
    }

    /** The first logical block of the subtree's extents, or -1 when it holds none. */
    private static long firstLogical(Node n) {
        if (n.depth == 0) {
            return n.keys.length == 0 ? -1 : n.keys[0];
        }
        for (Node k : n.kids) {
            long f = firstLogical(k);
            if (f >= 0) {
                return f;
            }
        }
        return -1;
    }

    private static void collect(Node n, List<Extent> out) {
        if (n.depth == 0) {
            out.addAll(n.extents());
        } else {
            for (Node k : n.kids) {
                collect(k, out);
            }
        }
    }

    /** Blocks holding tree nodes (not the root). */
    public List<Long> nodeBlocks() {
        List<Long> out = new ArrayList<>();
        nodeBlocks(root, out);
        return out;
    }

    private static void nodeBlocks(Node n, List<Long> out) {
        for (Node k : n.kids) {
            out.add(k.block);
            nodeBlocks(k, out);
        }
    }

    /** The leaf {@code lblk} falls in or after: at each level the last child keyed at or before it, else the first. */
    private Node leafFor(long lblk) {
        Node n = root;
        while (n.depth > 0) {
            n = n.kidArr[lastAtOrBefore(n.keys, lblk, 0)];
        }
        return n;
    }

    /**
     * The index of the last of {@code keys} (strictly increasing: fsck checks it) at or before {@code lblk}, or
     * {@code none} when every key is after it. It counts rather than bisects: first every {@link #STRIDE}th key, then
     * the keys of the one group that holds the answer. The loads of a count do not wait for each other, so a node
     * that is not in the cache costs about two memory round trips instead of one per step of a binary search, and
     * a lookup does this at every level on every write.
     */
    private static int lastAtOrBefore(long[] keys, long lblk, int none) {
        int groups = 0;
        for (int i = 0; i < keys.length; i += STRIDE) {
            groups += keys[i] <= lblk ? 1 : 0;
        }
        if (groups == 0) {
            return none;
        }
        int from = (groups - 1) * STRIDE;
        int to = Math.min(keys.length, from + STRIDE);
        int at = from - 1;
        for (int i = from; i < to; i++) {
            at += keys[i] <= lblk ? 1 : 0;
        }
        return at;
    }

    /**
     * The node beside {@code n} on its level, to the right ({@code step} 1) or to the left (-1), or null at the
     * edge: up to the nearest ancestor with a child on that side, then down that child's near edge.
     */
    private static Node neighbour(Node n, int step) {
        Node at = n;
        while (true) {
            Node parent = at.parent;
            if (parent == null) {
                return null;
            }
            int index = parent.kids.indexOf(at);
            if (index < 0) {
                // Links are kept by every change (never rebuilt): a broken one must not pick a wrong sibling.
                throw new IllegalStateException("extent tree node " + at.block + " is not among the children of its"
                        + " parent " + parent.block);
            }
            int i = index + step;
            if (i < 0 || i >= parent.kids.size()) {
                at = parent;
                continue;
            }
            at = parent.kids.get(i);
            while (at.depth > n.depth && !at.kids.isEmpty()) {
                at = step > 0 ? at.kids.getFirst() : at.kids.getLast();
            }
            if (at.depth == n.depth) {
                return at;
            }
            // An index node without children (only a damaged image has one) has nothing on our level: go past it.
        }
    }

    /** The extent containing {@code lblk}, or the first one after it, or null. */
    public Extent findFrom(long lblk) {
        Found found = new Found();
        return findFrom(lblk, found) ? found.toExtent() : null;
    }

    /**
     * Puts into {@code out} the extent containing {@code lblk}, or the first one after it; false when there is
     * none (and {@code out} then holds nothing of use).
     */
    public boolean findFrom(long lblk, Found out) {
        // Past the leaf holding lblk the answer is the next leaf's first extent; the loop goes further only over
        // the empty leaves a damaged image may hold.
        Node leaf = leafFor(lblk);
        int at = lastAtOrBefore(leaf.keys, lblk, -1);
        if (at >= 0) {
            out.set(leaf, at);
            if (out.end() > lblk) {
                return true;
            }
        }
        if (at + 1 < leaf.keys.length) {
            out.set(leaf, at + 1);
            return true;
        }
        for (leaf = neighbour(leaf, 1); leaf != null; leaf = neighbour(leaf, 1)) {
            if (leaf.keys.length > 0) {
                out.set(leaf, 0);
                return true;
            }
        }
        return false;
    }

    /** The last extent starting before {@code lblk}, or null (the allocation goal's neighbour). */
    public Extent findBefore(long lblk) {
        for (Node leaf = leafFor(lblk); leaf != null; leaf = neighbour(leaf, -1)) {
            for (int i = leaf.keys.length - 1; i >= 0; i--) {
                if (leaf.keys[i] < lblk) {
                    return leaf.extent(i);
                }
            }
        }
        return null;
    }

    /** The extent mapping the highest logical blocks, or null when there is none. */
    public Extent last() {
        return findBefore(Long.MAX_VALUE);
    }

    /** Number of extents overlapping [start, end). */
    public int countIn(long start, long end) {
        return overlapping(start, end).size();
    }

    /** Tree blocks a {@link #replace} may need at worst: a split at each level and a new level. */
    public int worstCaseNewNodes() {
        return 2 * (root.depth + 2);
    }

    /**
     * Replaces whatever maps {@code [start, end)} with {@code inserted} (extents inside that range, within the
     * length limits), splitting extents that straddle the edges and merging neighbours that became contiguous.
     *
     * @return the blocks the tree gained (positive) or gave back (negative) for its own nodes
     */
    public int replace(long start, long end, List<Extent> inserted) {
        return replace(start, end, inserted, true);
    }

    /**
     * Cuts the extent holding {@code lblk} (if it starts before it) in two at {@code lblk}, halves left unmerged:
     * what an insert range does first, so the shift that follows moves whole extents only.
     *
     * @return the blocks the tree gained for its own nodes
     */
    public int splitAt(long lblk) {
        Extent e = findFrom(lblk);
        if (e == null || e.logical() >= lblk) {
            return 0;
        }
        int head = (int) (lblk - e.logical());
        return replace(e.logical(), e.end(), List.of(new Extent(e.logical(), head, e.physical(), e.unwritten()),
                new Extent(lblk, e.length() - head, e.physicalAt(lblk), e.unwritten())), false);
    }

    private int replace(long start, long end, List<Extent> inserted, boolean merge) {
        nodeDelta = 0;
        if (root.depth == 0) {
            root.setExtents(edit(root.extents(), start, end, inserted, merge));
        } else {
            List<Node> oldRun = leavesFor(start, end);
            List<Extent> entries = new ArrayList<>();
            for (Node leaf : oldRun) {
                entries.addAll(leaf.extents());
            }
            entries = edit(entries, start, end, inserted, merge);
            if (oldRun.size() == 1 && !entries.isEmpty() && entries.size() <= nodeMax) {
                rewriteLeaf(oldRun.getFirst(), entries);
            } else {
                replaceInParents(oldRun, distributeLeaves(entries, oldRun));
            }
        }
        fixRoot();
        store.rootChanged();
        return nodeDelta;
    }

    /**
     * One step of a shift of the logical blocks (collapse and insert range, the kernel's ext4_ext_shift_extents):
     * moves by {@code delta} every extent of one leaf that starts in {@code [lo, hi)}. Moving down ({@code delta}
     * &lt; 0) takes the leaf of the first such extent, moving up the leaf of the last, so steps from the edge the
     * extents move towards keep the keys in order after every step: the moved extents land in the room the caller
     * made (a removed range, a range past the last extent). Only that leaf and the index keys above it change.
     *
     * @return the new bound of the unmoved extents (moving down: the next {@code lo}; up: the next {@code hi}), or
     *     -1 when no extent starts in {@code [lo, hi)}
     */
    public long shiftStep(long lo, long hi, long delta) {
        Node leaf = delta < 0 ? leafStartingFrom(lo, hi) : leafStartingBefore(lo, hi);
        if (leaf == null) {
            return -1;
        }
        List<Extent> entries = leaf.extents();
        long bound = delta < 0 ? lo : hi;
        for (int i = 0; i < entries.size(); i++) {
            Extent e = entries.get(i);
            if (e.logical() >= lo && e.logical() < hi) {
                entries.set(i, new Extent(e.logical() + delta, e.length(), e.physical(), e.unwritten()));
                bound = delta < 0 ? Math.max(bound, e.logical() + 1) : Math.min(bound, e.logical());
            }
        }
        nodeDelta = 0;
        if (leaf == root) {
            root.setExtents(entries);
        } else {
            rewriteLeaf(leaf, entries);
        }
        store.rootChanged();
        return bound;
    }

    /** The leaf holding the first extent starting in [lo, hi), or null. */
    private Node leafStartingFrom(long lo, long hi) {
        for (Node leaf = leafFor(lo); leaf != null; leaf = neighbour(leaf, 1)) {
            for (long k : leaf.keys) {
                if (k >= hi) {
                    return null;
                }
                if (k >= lo) {
                    return leaf;
                }
            }
        }
        return null;
    }

    /** The leaf holding the last extent starting in [lo, hi), or null. */
    private Node leafStartingBefore(long lo, long hi) {
        for (Node leaf = leafFor(hi - 1); leaf != null; leaf = neighbour(leaf, -1)) {
            for (int i = leaf.keys.length - 1; i >= 0; i--) {
                if (leaf.keys[i] < lo) {
                    return null;
                }
                if (leaf.keys[i] < hi) {
                    return leaf;
                }
            }
        }
        return null;
    }

    /**
     * The usual edit: one leaf changes and still fits, so the tree keeps its shape. Only the leaf is rewritten, and
     * an index node above it only where the key it holds for the child changed (the leaf's first extent moved):
     * re-splitting the parents would write the same bytes to the same blocks, hundreds of index entries per edit.
     */
    private void rewriteLeaf(Node leaf, List<Extent> entries) {
        long before = leaf.key();
        leaf.setExtents(entries);
        writeNode(leaf);
        for (Node n = leaf; n.parent != null && n.key() != before; n = n.parent) {
            Node p = n.parent;
            long parentBefore = p.key();
            p.keys[p.kids.indexOf(n)] = n.key();
            if (p != root) {
                // The root lives in the inode, written through rootChanged().
                writeNode(p);
            }
            before = parentBefore;
        }
    }

    /** The consecutive leaves an edit of [start, end) rewrites: the one holding start and those starting before end. */
    private List<Node> leavesFor(long start, long end) {
        List<Node> run = new ArrayList<>();
        Node leaf = leafFor(start);
        run.add(leaf);
        for (Node next = neighbour(leaf, 1); next != null && next.key() < end; next = neighbour(next, 1)) {
            run.add(next);
        }
        return run;
    }

    /**
     * Puts {@code newRun} where {@code oldRun} (consecutive nodes of one level) was and re-splits their parents,
     * then theirs, up to the root: only the nodes on the paths from the run to the root are rewritten.
     */
    private void replaceInParents(List<Node> oldRun, List<Node> newRun) {
        while (true) {
            List<Node> oldParents = parentsOf(oldRun);
            List<Node> kids = new ArrayList<>();
            for (Node p : oldParents) {
                kids.addAll(p.kids);
            }
            int at = kids.indexOf(oldRun.getFirst());
            kids.subList(at, at + oldRun.size()).clear();
            kids.addAll(at, newRun);
            if (oldParents.getFirst() == root) {
                root.setKids(kids);
                return;
            }
            newRun = distributeIndex(kids, oldParents.getFirst().depth, oldParents);
            oldRun = oldParents;
        }
    }

    /** The parents of consecutive nodes of one level: from the first one's parent through the last one's. */
    private static List<Node> parentsOf(List<Node> run) {
        List<Node> out = new ArrayList<>();
        Node last = run.getLast().parent;
        for (Node p = run.getFirst().parent; ; p = neighbour(p, 1)) {
            out.add(p);
            if (p == last) {
                return out;
            }
        }
    }

    private static List<Extent> edit(List<Extent> entries, long start, long end, List<Extent> inserted,
            boolean merge) {
        List<Extent> out = new ArrayList<>();
        for (Extent e : entries) {
            if (e.end() <= start || e.logical() >= end) {
                out.add(e);
                continue;
            }
            if (e.logical() < start) {
                out.add(new Extent(e.logical(), (int) (start - e.logical()), e.physical(), e.unwritten()));
            }
            if (e.end() > end) {
                out.add(new Extent(end, (int) (e.end() - end), e.physicalAt(end), e.unwritten()));
            }
        }
        out.addAll(inserted);
        out.sort((a, b) -> Long.compare(a.logical(), b.logical()));
        List<Extent> merged = new ArrayList<>();
        for (Extent e : out) {
            if (!merged.isEmpty()) {
                Extent p = merged.getLast();
                if (p.end() > e.logical()) {
                    throw new FsError(Errno.EUCLEAN, "extent " + e + " overlaps " + p);
                }
                if (merge && p.end() == e.logical() && p.unwritten() == e.unwritten()
                        && p.physicalAt(p.end()) == e.physical()
                        && p.length() + e.length() <= Extent.maxLength(e.unwritten())) {
                    merged.set(merged.size() - 1, new Extent(p.logical(), p.length() + e.length(), p.physical(),
                            p.unwritten()));
                    continue;
                }
            }
            merged.add(e);
        }
        return merged;
    }

    private List<Node> distributeLeaves(List<Extent> entries, List<Node> reuse) {
        int count = (entries.size() + nodeMax - 1) / nodeMax;
        List<Node> out = newNodes(count, 0, reuse);
        int per = count == 0 ? 0 : (entries.size() + count - 1) / count;
        for (int k = 0; k < count; k++) {
            out.get(k).setExtents(new ArrayList<>(entries.subList(k * per, Math.min(entries.size(), (k + 1) * per))));
            writeNode(out.get(k));
        }
        return out;
    }

    private List<Node> distributeIndex(List<Node> kids, int depth, List<Node> reuse) {
        int count = (kids.size() + nodeMax - 1) / nodeMax;
        List<Node> out = newNodes(count, depth, reuse);
        int per = count == 0 ? 0 : (kids.size() + count - 1) / count;
        for (int k = 0; k < count; k++) {
            Node n = out.get(k);
            n.setKids(new ArrayList<>(kids.subList(k * per, Math.min(kids.size(), (k + 1) * per))));
            writeNode(n);
        }
        return out;
    }

    private List<Node> newNodes(int count, int depth, List<Node> reuse) {
        List<Node> out = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Node n = new Node();
            n.depth = depth;
            n.block = k < reuse.size() ? reuse.get(k).block : allocateNode(goal(reuse));
            out.add(n);
        }
        for (int k = count; k < reuse.size(); k++) {
            freeNode(reuse.get(k).block);
        }
        return out;
    }

    private long allocateNode(long goal) {
        long block = store.allocate(goal);
        nodeDelta++;
        return block;
    }

    private void freeNode(long block) {
        store.free(block);
        nodeDelta--;
    }

    private long goal(List<Node> near) {
        return near.isEmpty() ? 0 : near.getLast().block + 1;
    }

    private void writeNode(Node n) {
        byte[] b = new byte[blockSize];
        if (n.depth == 0) {
            ExtentNode.encodeLeaf(b, 0, nodeMax, n.extents());
        } else {
            ExtentNode.encodeIndex(b, 0, nodeMax, n.depth, indexes(n));
        }
        ExtentNode.seal(b, ino);
        store.write(n.block, b);
    }

    private void fixRoot() {
        if (root.count() > ExtentNode.ROOT_MAX) {
            // Grow in depth: the root's entries move into new blocks, the root indexes them.
            if (root.depth + 1 > ExtentNode.MAX_DEPTH) {
                throw new FsError(Errno.EFBIG, "extent tree of inode " + ino + " would exceed depth "
                        + ExtentNode.MAX_DEPTH);
            }
            List<Node> moved = root.depth == 0 ? distributeLeaves(root.extents(), List.of())
                    : distributeIndex(root.kids, root.depth, List.of());
            root.depth++;
            root.setExtents(new ArrayList<>());
            root.setKids(new ArrayList<>(moved));
            fixRoot();
            return;
        }
        if (root.depth > 0 && root.kids.isEmpty()) {
            root.depth = 0;
            return;
        }
        while (root.depth > 0 && root.kids.size() == 1 && root.kids.getFirst().count() <= ExtentNode.ROOT_MAX) {
            Node only = root.kids.getFirst();
            freeNode(only.block);
            root.takeEntriesOf(only);
        }
    }
}
