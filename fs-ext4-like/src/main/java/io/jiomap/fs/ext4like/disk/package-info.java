/** Codecs of the on-disk structures described in FORMAT.md: superblock, descriptors, inodes, extents, dirents, journal. */
package io.jiomap.fs.ext4like.disk;
