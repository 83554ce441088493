/**
 * How the contract watches the engine without changing it: a tap between the block layer and the device (bios, their
 * completions, what is durable, holding and failing bios), a recorder of the filesystem's iomap and end_io calls
 * (interposed at mount), the engine's trace points, and a recording iocb completion.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("2.0.0")
package io.jiomap.tck.observe;
