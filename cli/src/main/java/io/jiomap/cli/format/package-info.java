/**
 * What a device holds and whether a tool may format it: the signatures of jiomap's filesystem types and of the
 * kernel's filesystems and partition tables, the blank test, the wipe a forced mkfs does first, and the rule bench,
 * fio and the shell's mount follow before they mount ({@link io.jiomap.cli.format.FormatPolicy}). It depends on the
 * api and core only: callers hand it the installed filesystem types.
 */
package io.jiomap.cli.format;
