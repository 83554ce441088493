/** The namespace of a mounted ext4-like filesystem: paths, directory entries, create, link changes, rename. */
package io.jiomap.fs.ext4like.namei;
