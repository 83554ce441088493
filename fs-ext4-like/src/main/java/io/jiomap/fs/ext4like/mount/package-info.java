/** A mounted ext4-like filesystem: mount (recovery, checks, orphan processing), statfs, sync, unmount. */
package io.jiomap.fs.ext4like.mount;
