/**
 * The oracle of the crash harness (private to the bundle): the self-identifying sector payloads, the model of every
 * file's history and what each persistence point promised, and what a crash state may show at a given crash point.
 */
package io.jiomap.crash.oracle;
