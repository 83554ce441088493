package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.fs.ext4like.disk.DirBlock;
import io.jiomap.fs.ext4like.disk.Extent;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.FsError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of directories, decoded once per directory and kept (the kernel's dir.c and the dirent half of
 * namei.c): lookup, listing pages in name order, add, remove, replace, each change written back to its block in the running transaction. Used only
 * by {@link Namespace}, with its namespace lock held; a method ending in {@code Locked} needs the metadata lock too
 * (a journal handle).
 */
final class Directories {
    private final Volume vol;
    private final int blockSize;
    private final Map<Long, List<List<DirBlock.Entry>>> dirs = new HashMap<>();
    /** Each directory's names without "." and "..", in UTF-8 byte order: built by a listing, dropped by a change. */
    private final Map<Long, List<Sorted>> sorted = new HashMap<>();

    private record Sorted(byte[] key, DirBlock.Entry entry) {
    }

    Directories(Volume vol) {
        this.vol = vol;
        this.blockSize = vol.blockSize();
    }

    /** The blocks of directory {@code d}, read on first use. */
    List<List<DirBlock.Entry>> blocks(Ext4Inode d) {
        List<List<DirBlock.Entry>> blocks = dirs.get(d.ino());
        if (blocks != null) {
            return blocks;
        }
        blocks = new ArrayList<>();
        long n = d.size() / blockSize;
        vol.journal().metaLock().lock();
        try {
            for (long i = 0; i < n; i++) {
                long phys = d.writtenBlockAt(i);
                if (phys < 0) {
                    throw new FsError(Errno.EUCLEAN, "directory inode " + d.ino() + " has no block " + i);
                }
                try {
                    blocks.add(new ArrayList<>(DirBlock.decode(vol.cache().get(phys), d.ino(), "block " + phys)));
                } catch (FormatException ex) {
                    throw new FsError(Errno.EUCLEAN, ex.getMessage());
                }
            }
        } finally {
            vol.journal().metaLock().unlock();
        }
        dirs.put(d.ino(), blocks);
        return blocks;
    }

    DirBlock.Entry lookup(Ext4Inode d, String name) {
        for (List<DirBlock.Entry> block : blocks(d)) {
            for (DirBlock.Entry e : block) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        }
        return null;
    }

    boolean isEmpty(Ext4Inode d) {
        for (List<DirBlock.Entry> b : blocks(d)) {
            for (DirBlock.Entry e : b) {
                if (!e.name().equals(".") && !e.name().equals("..")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether a block of {@code d} has room for {@code name} without a new directory block. */
    boolean hasRoomFor(Ext4Inode d, String name) {
        int need = new DirBlock.Entry(0, 0, name).recordLength();
        for (List<DirBlock.Entry> b : blocks(d)) {
            if (DirBlock.used(b) + need <= blockSize - DirBlock.TAIL) {
                return true;
            }
        }
        return false;
    }

    /** Gives a new directory its first block, holding "." and "..". */
    void initLocked(Ext4Inode d, Ext4Inode parent) {
        List<List<DirBlock.Entry>> blocks = new ArrayList<>();
        dirs.put(d.ino(), blocks);
        Extent got = d.allocateLocked(0, 1, false);
        vol.cache().fresh(got.physical());
        blocks.add(new ArrayList<>(List.of(new DirBlock.Entry(d.ino(), DirBlock.TYPE_DIR, "."),
                new DirBlock.Entry(parent.ino(), DirBlock.TYPE_DIR, ".."))));
        writeBlockLocked(d, 0);
        d.setSizeLocked(blockSize);
    }

    /** Up to {@code max} entries after the name {@code after} ({@code null}: from the first), in UTF-8 byte order. */
    List<DirBlock.Entry> page(Ext4Inode d, String after, int max) {
        List<Sorted> all = sorted.computeIfAbsent(d.ino(), ino -> {
            List<Sorted> names = new ArrayList<>();
            for (List<DirBlock.Entry> b : blocks(d)) {
                for (DirBlock.Entry e : b) {
                    if (!e.name().equals(".") && !e.name().equals("..")) {
                        names.add(new Sorted(e.name().getBytes(StandardCharsets.UTF_8), e));
                    }
                }
            }
            names.sort((x, y) -> Arrays.compareUnsigned(x.key, y.key));
            return names;
        });
        int from = 0;
        if (after != null) {
            byte[] key = after.getBytes(StandardCharsets.UTF_8);
            int lo = 0;
            int hi = all.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Arrays.compareUnsigned(all.get(mid).key, key) <= 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            from = lo;
        }
        List<DirBlock.Entry> out = new ArrayList<>();
        for (int i = from; i < all.size() && out.size() < max; i++) {
            out.add(all.get(i).entry);
        }
        return out;
    }

    private void writeBlockLocked(Ext4Inode d, int index) {
        sorted.remove(d.ino());
        long phys = d.writtenBlockAt(index);
        DirBlock.encode(vol.cache().get(phys), d.ino(), blocks(d).get(index));
        vol.journal().dirtyLocked(phys);
    }

    /** Adds a name; a new directory block if none has room. */
    void addLocked(Ext4Inode d, DirBlock.Entry entry) {
        List<List<DirBlock.Entry>> blocks = blocks(d);
        int room = blockSize - DirBlock.TAIL;
        for (int i = 0; i < blocks.size(); i++) {
            if (DirBlock.used(blocks.get(i)) + entry.recordLength() <= room) {
                blocks.get(i).add(entry);
                writeBlockLocked(d, i);
                return;
            }
        }
        int index = blocks.size();
        Extent got = d.allocateLocked(index, 1, false);
        vol.cache().fresh(got.physical());
        blocks.add(new ArrayList<>(List.of(entry)));
        writeBlockLocked(d, index);
        d.setSizeLocked((long) (index + 1) * blockSize);
    }

    void removeLocked(Ext4Inode d, String name) {
        List<List<DirBlock.Entry>> blocks = blocks(d);
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).removeIf(e -> e.name().equals(name))) {
                writeBlockLocked(d, i);
                return;
            }
        }
    }

    void replaceLocked(Ext4Inode d, String name, DirBlock.Entry with) {
        List<List<DirBlock.Entry>> blocks = blocks(d);
        for (int i = 0; i < blocks.size(); i++) {
            List<DirBlock.Entry> b = blocks.get(i);
            for (int k = 0; k < b.size(); k++) {
                if (b.get(k).name().equals(name)) {
                    b.set(k, with);
                    writeBlockLocked(d, i);
                    return;
                }
            }
        }
    }

    /** Forgets a deleted directory's entries. */
    void forget(long ino) {
        dirs.remove(ino);
        sorted.remove(ino);
    }
}
