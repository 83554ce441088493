/** The metadata machinery of a mounted filesystem: block cache, journal and recovery, allocator, extent trees. */
package io.jiomap.fs.ext4like.meta;
