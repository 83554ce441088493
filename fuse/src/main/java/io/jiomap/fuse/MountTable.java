package io.jiomap.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What /proc/self/mountinfo says about a directory. */
public final class MountTable {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountTable() {
    }

    /** The filesystem type mounted on {@code dir} (the last mount there), or null. */
    public static String typeAt(Path dir) {
        String want = escape(dir.toAbsolutePath().normalize().toString());
        String type = null;
        for (String line : lines()) {
            // id parent major:minor root mountpoint options [optional fields] - fstype source superoptions
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].equals(want)) {
                int dash = line.indexOf(" - ");
                type = dash < 0 ? "?" : line.substring(dash + 3).split(" ")[0];
            }
        }
        return type;
    }

    /** The source the mount on {@code dir} names (a jiomap mount: its image), or null. */
    public static String sourceAt(Path dir) {
        String want = escape(dir.toAbsolutePath().normalize().toString());
        String source = null;
        for (String line : lines()) {
            String[] f = line.split(" ");
            int dash = line.indexOf(" - ");
            if (f.length > 4 && f[4].equals(want) && dash >= 0) {
                String[] tail = line.substring(dash + 3).split(" ");
                source = tail.length > 1 ? unescape(tail[1]) : null;
            }
        }
        return source;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    public static boolean isMountpoint(Path dir) {
        return typeAt(dir) != null;
    }

    /** Whether a jiomap FUSE mount is on {@code dir}. */
    public static boolean isFuseJiomap(Path dir) {
        return FuseMount.FS_TYPE.equals(typeAt(dir));
    }

    /**
     * Whether a live jiomap FUSE mount is on {@code dir}: listed, and answering (a mount whose server died is still
     * listed, and answers ENOTCONN).
     */
    public static boolean isServedJiomap(Path dir) {
        return isFuseJiomap(dir) && Files.isDirectory(dir);
    }

    private static String escape(String path) {
        return path.replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011").replace("\n", "\\012");
    }

    private static List<String> lines() {
        try {
            return Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Unmounts {@code dir} (umount2; {@code lazy}: MNT_DETACH), through {@code fusermount3 -u} where umount2 is not
     * permitted (not root): 0 or a negative errno.
     */
    public static int unmount(Path dir, boolean lazy) {
        String path = dir.toAbsolutePath().normalize().toString();
        int r = Libc.umount2(path, lazy ? Libc.MNT_DETACH : 0);
        if (r == -io.jiomap.api.Errno.EPERM && isFuseJiomap(dir)) {
            try {
                int status = Fusermount.unmount(Path.of(path), lazy);
                return status == 0 ? 0 : status < 0 ? status : -Libc.EBUSY;
            } catch (io.jiomap.api.JiomapException e) {
                return -e.errno();
            }
        }
        return r;
    }
}
