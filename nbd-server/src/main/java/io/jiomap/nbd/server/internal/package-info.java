/** The bundle's activator: stopping the bundle closes its servers. Not exported. */
package io.jiomap.nbd.server.internal;
