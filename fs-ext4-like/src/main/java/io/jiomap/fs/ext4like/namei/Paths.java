package io.jiomap.fs.ext4like.namei;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.fs.ext4like.disk.DirBlock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Absolute paths split into names, each checked against what a directory entry can hold. */
final class Paths {
    private Paths() {
    }

    static List<String> components(String path) throws JiomapException {
        if (path == null || !path.startsWith("/")) {
            throw new JiomapException(Errno.EINVAL, "path '" + path + "' is not absolute");
        }
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (c.isEmpty()) {
                continue;
            }
            if (c.equals(".") || c.equals("..")) {
                throw new JiomapException(Errno.EINVAL, "path '" + path + "' has a '" + c + "' component");
            }
            if (c.getBytes(StandardCharsets.UTF_8).length > DirBlock.MAX_NAME) {
                throw new JiomapException(Errno.ENAMETOOLONG, "a name in '" + path + "' is longer than "
                        + DirBlock.MAX_NAME + " bytes");
            }
            out.add(c);
        }
        return out;
    }
}
