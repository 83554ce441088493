/** The generic direct-I/O path: mapping iteration, bios, zeroing, FUA, reference counting, the completion decision. */
package io.jiomap.core.dio;
