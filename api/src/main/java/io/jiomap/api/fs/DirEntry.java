package io.jiomap.api.fs;

/** One entry of a directory listing ({@code readdir}). */
public record DirEntry(String name, long ino, FileKind kind) {
}
