/** The read-only consistency check (e2fsck -fn style) of an unmounted image. */
package io.jiomap.fs.ext4like.check;
