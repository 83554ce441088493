package io.jiomap.api.vfs;

/** What a name in a filesystem refers to. */
public enum FileKind {
    REGULAR,
    DIRECTORY
}
