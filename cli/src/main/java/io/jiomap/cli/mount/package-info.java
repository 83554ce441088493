/** {@code jiomap mount} and {@code jiomap umount}: an image's filesystem in the Linux VFS through the FUSE bridge. */
package io.jiomap.cli.mount;
