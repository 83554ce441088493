/**
 * The namespace of a mounted ext4-like filesystem on inode numbers: directory entries, create, links, rename with its
 * flags, symbolic links, extended attributes, attribute changes, opens and the orphans they keep alive.
 */
package io.jiomap.fs.ext4like.namei;
