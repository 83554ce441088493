package io.jiomap.fuse;

import io.jiomap.core.CompletionMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of a FUSE mount ({@code -o} of {@code jiomap mount}).
 *
 * @param readOnly           {@code ro}: mounted read-only (the kernel refuses writes with EROFS)
 * @param allowOther         {@code allow_other}: users other than the mounting one may use the mount
 * @param defaultPermissions {@code default_permissions}: the kernel checks access against the reported mode and owner
 * @param uid                {@code uid=}: the owner every inode reports instead of the stored one, or -1 (not given)
 * @param gid                {@code gid=}: the group every inode reports instead of the stored one, or -1
 * @param umask              {@code umask=}: the mode every inode reports instead of the stored one is 0777
 *                           (directories, symbolic links) or 0666 (files) minus this mask, or -1. Any of the three
 *                           makes the mount report the given owner, group and mode (the others defaulting to the
 *                           mounting user and umask 022), for a filesystem that keeps no ownership (raw)
 * @param quiet              {@code quiet}: under uid=/gid=/umask=, chmod and chown succeed without effect (vfat's
 *                           option of that name); without it they fail with EPERM unless they change nothing
 * @param completion         {@code completion=}: how the engine completes the bridge's writes
 * @param writebackCache     {@code writeback_cache}: the kernel keeps written pages dirty and writes them back in
 *                           whole pages (faster small writes); SEEK_DATA/SEEK_HOLE then see only what was written
 *                           back, since FUSE sends LSEEK without writing dirty pages back first
 * @param workers            {@code workers=}: threads reading requests, each an issuer of its own ring
 * @param depth              {@code depth=}: requests in flight per worker (and ring entries per queue with {@code uring})
 * @param uring              {@code uring}: requests come as completions on an io_uring per CPU (FUSE over io_uring,
 *                           kernel 6.14+ with /sys/module/fuse/parameters/enable_uring Y) and replies go back as
 *                           submissions; {@code /dev/fuse} still carries INIT, FORGET and INTERRUPT
 */
public record FuseOptions(boolean readOnly, boolean allowOther, boolean defaultPermissions, int uid, int gid,
                          int umask, boolean quiet, CompletionMode completion, boolean writebackCache, int workers,
                          int depth, boolean uring) {
    public FuseOptions {
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("-o workers=" + workers + ": expected 1 to 64 worker threads");
        }
        if (depth < 1 || depth > 256) {
            throw new IllegalArgumentException("-o depth=" + depth + ": expected 1 to 256 requests per worker");
        }
        if (uid < -1 || gid < -1) {
            throw new IllegalArgumentException("-o uid=/gid=: expected a user or group number, 0 or more");
        }
        if (umask != -1 && (umask & ~0777) != 0) {
            throw new IllegalArgumentException("-o umask=" + Integer.toOctalString(umask) + ": expected an octal mask"
                    + " of at most 0777");
        }
    }

    /** The defaults: read-write, the filesystem's owners and modes, caller completion, 2 workers of depth 16. */
    public static FuseOptions defaults() {
        return new FuseOptions(false, false, false, -1, -1, -1, false, CompletionMode.CALLER, false, 2, 16, false);
    }

    /** Whether uid=, gid= or umask= was given: the mount then reports those instead of what the filesystem stores. */
    public boolean overridesOwnership() {
        return uid >= 0 || gid >= 0 || umask >= 0;
    }

    /** The owner reported under {@link #overridesOwnership}: uid=, else the mounting user. */
    public int reportedUid() {
        return uid >= 0 ? uid : Libc.getuid();
    }

    /** The group reported under {@link #overridesOwnership}: gid=, else the mounting user's group. */
    public int reportedGid() {
        return gid >= 0 ? gid : Libc.getgid();
    }

    /** The mask of the modes reported under {@link #overridesOwnership}: umask=, else 022. */
    public int reportedUmask() {
        return umask >= 0 ? umask : 022;
    }

    /**
     * Parses mount(8)-style options, comma separated and possibly repeated, over the defaults.
     *
     * @throws IllegalArgumentException naming an unknown option or a bad value, and listing the known ones
     */
    public static FuseOptions parse(List<String> optionLists) {
        FuseOptions o = defaults();
        boolean ro = o.readOnly;
        boolean allowOther = o.allowOther;
        boolean defaultPermissions = o.defaultPermissions;
        boolean quiet = o.quiet;
        int uid = o.uid;
        int gid = o.gid;
        int umask = o.umask;
        CompletionMode completion = o.completion;
        boolean writeback = o.writebackCache;
        int workers = o.workers;
        int depth = o.depth;
        boolean uring = o.uring;
        List<String> unknown = new ArrayList<>();
        for (String list : optionLists) {
            for (String item : list.split(",")) {
                String opt = item.trim();
                if (opt.isEmpty()) {
                    continue;
                }
                int eq = opt.indexOf('=');
                String key = eq < 0 ? opt : opt.substring(0, eq);
                String value = eq < 0 ? null : opt.substring(eq + 1);
                switch (key) {
                    case "ro" -> ro = true;
                    case "rw" -> ro = false;
                    case "allow_other" -> allowOther = true;
                    case "default_permissions" -> defaultPermissions = true;
                    case "quiet" -> quiet = true;
                    case "writeback_cache" -> writeback = true;
                    case "no_writeback_cache" -> writeback = false;
                    case "uring" -> uring = true;
                    case "uid" -> uid = number(key, value, 10);
                    case "gid" -> gid = number(key, value, 10);
                    case "umask" -> umask = number(key, value, 8);
                    case "workers" -> workers = number(key, value, 10);
                    case "depth" -> depth = number(key, value, 10);
                    case "completion" -> completion = completion(value);
                    default -> unknown.add(opt);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown mount option" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; known: ro, rw, allow_other, default_permissions, quiet, uid=N, "
                    + "gid=N, umask=OCTAL, writeback_cache, completion=workqueue|caller|inline|caller+poll, workers=N, "
                    + "depth=N, uring");
        }
        return new FuseOptions(ro, allowOther, defaultPermissions, uid, gid, umask, quiet, completion, writeback,
                workers, depth, uring);
    }

    private static int number(String key, String value, int radix) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("-o " + key + " needs a value (" + key + "=N)");
        }
        try {
            return Integer.parseInt(value, radix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-o " + key + "=" + value + ": not a" + (radix == 8 ? "n octal" : "")
                    + " number");
        }
    }

    private static CompletionMode completion(String value) {
        if (value == null) {
            throw new IllegalArgumentException("-o completion needs a value: workqueue, caller, inline or caller+poll");
        }
        try {
            return CompletionMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-o completion=" + value + ": " + e.getMessage(), e);
        }
    }
}
