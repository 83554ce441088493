/** The block layer between the filesystems and the device: flush policy (FUA, PREFLUSH) and accounting. */
package io.jiomap.core.block;
