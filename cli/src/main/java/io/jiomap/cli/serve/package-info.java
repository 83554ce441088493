/**
 * {@code jiomap serve}: a device, or one file of a filesystem on it, offered to other programs over a network
 * protocol (NBD) until the user stops it.
 */
package io.jiomap.cli.serve;
