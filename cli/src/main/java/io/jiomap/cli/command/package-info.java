/**
 * What every jiomap command shares: exit codes, the built version and picocli's converters for the value forms fio
 * users type. Depends on no other cli package but {@code text}, so every command package may use it.
 */
package io.jiomap.cli.command;
