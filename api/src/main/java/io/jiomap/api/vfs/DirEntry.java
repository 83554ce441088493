package io.jiomap.api.vfs;

/** One entry of a directory listing ({@code readdir}). */
public record DirEntry(String name, long ino, FileKind kind) {
}
