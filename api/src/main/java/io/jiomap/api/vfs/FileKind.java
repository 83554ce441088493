package io.jiomap.api.vfs;

/** What a name in a filesystem refers to. */
public enum FileKind {
    REGULAR,
    DIRECTORY,
    /** A symbolic link: its content is a path, read with {@link FileSystem#readlink}. */
    SYMLINK
}
