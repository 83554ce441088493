package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.vfs.Timestamps;
import io.jiomap.fs.ext4like.disk.FormatException;
import io.jiomap.fs.ext4like.disk.XattrBlock;
import io.jiomap.fs.ext4like.inode.Ext4Inode;
import io.jiomap.fs.ext4like.inode.Volume;
import io.jiomap.fs.ext4like.meta.FsError;
import io.jiomap.fs.ext4like.meta.Journal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The extended attributes of an inode, all in one block (ext4's i_file_acl block, FORMAT.md section 4a): allocated
 * with the first attribute, rewritten (journaled) with each change, freed with the last; ENOSPC when the block is
 * full. Used by {@link Namespace} under its lock.
 */
final class Xattrs {
    private final Volume vol;

    Xattrs(Volume vol) {
        this.vol = vol;
    }

    private TreeMap<String, byte[]> load(Ext4Inode in) {
        long block = in.record().xattrBlock;
        if (block == 0) {
            return new TreeMap<>();
        }
        vol.journal().metaLock().lock();
        try {
            return XattrBlock.decode(vol.cache().get(block), in.ino(), "block " + block);
        } catch (FormatException e) {
            throw new FsError(Errno.EUCLEAN, e.getMessage());
        } finally {
            vol.journal().metaLock().unlock();
        }
    }

    byte[] get(Ext4Inode in, String name) throws JiomapException {
        byte[] v = load(in).get(name);
        if (v == null) {
            throw new JiomapException(Errno.ENODATA, "inode " + in.ino() + " has no attribute " + name);
        }
        return v.clone();
    }

    List<String> list(Ext4Inode in) {
        return new ArrayList<>(load(in).keySet());
    }

    void set(Ext4Inode in, String name, byte[] value, int flags) throws JiomapException {
        TreeMap<String, byte[]> attrs = load(in);
        boolean exists = attrs.containsKey(name);
        if (exists && (flags & FileSystem.XATTR_CREATE) != 0) {
            throw new JiomapException(Errno.EEXIST, "inode " + in.ino() + " has attribute " + name + " already");
        }
        if (!exists && (flags & FileSystem.XATTR_REPLACE) != 0) {
            throw new JiomapException(Errno.ENODATA, "inode " + in.ino() + " has no attribute " + name
                    + " to replace");
        }
        attrs.put(name, value.clone());
        if (!XattrBlock.fits(attrs, vol.blockSize())) {
            throw new JiomapException(Errno.ENOSPC, "the attributes of inode " + in.ino() + " with " + name + " ("
                    + value.length + " bytes) do not fit its " + vol.blockSize() + "-byte attribute block");
        }
        write(in, attrs);
    }

    void remove(Ext4Inode in, String name) throws JiomapException {
        TreeMap<String, byte[]> attrs = load(in);
        if (attrs.remove(name) == null) {
            throw new JiomapException(Errno.ENODATA, "inode " + in.ino() + " has no attribute " + name);
        }
        write(in, attrs);
    }

    private void write(Ext4Inode in, TreeMap<String, byte[]> attrs) {
        Journal journal = vol.journal();
        try (Journal.Handle h = journal.start(8)) {
            long block = in.record().xattrBlock;
            if (attrs.isEmpty()) {
                if (block != 0) {
                    in.free(block);
                    in.record().xattrBlock = 0;
                }
            } else {
                if (block == 0) {
                    if (vol.allocator().availableForData() < 1) {
                        throw new FsError(Errno.ENOSPC, "no free block for the attributes of inode " + in.ino());
                    }
                    block = in.allocate(0);
                    in.record().xattrBlock = block;
                }
                XattrBlock.encode(vol.cache().get(block), in.ino(), attrs);
                journal.dirtyLocked(block);
            }
            in.setTimes(-1, -1, Timestamps.now());
            in.persistLocked(false);
        }
    }
}
