package io.jiomap.api.fs;

/** What a name in a filesystem refers to. */
public enum FileKind {
    REGULAR,
    DIRECTORY
}
