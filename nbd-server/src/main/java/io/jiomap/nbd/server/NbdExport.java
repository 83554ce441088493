package io.jiomap.nbd.server;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.core.OpenFile;
import io.jiomap.device.nbd.wire.NbdWire;

/**
 * What one NBD export offers: a file opened through the engine (a whole device is the raw filesystem's one file), its
 * size, and the constraints and features a client learns in the handshake.
 *
 * @param name           the export name clients ask for ({@code ""} is also accepted as the default export)
 * @param description    one line for {@code NBD_INFO_DESCRIPTION}
 * @param file           the file every request goes to
 * @param size           the export size in bytes, a multiple of {@code minBlock}
 * @param readOnly       whether writes, trims and zeroing are refused with EPERM
 * @param minBlock       the smallest request and the alignment of every offset and length: the device's logical
 *                       block size, the unit of direct I/O
 * @param preferredBlock the size below which a write costs a read-modify-write (the physical block, or the
 *                       filesystem block for a file)
 * @param maxPayload     the largest READ or WRITE payload: the device's largest bio, at most 32 MiB
 * @param volatileCache  whether completed writes may sit in a volatile cache (FLUSH and FUA are then offered)
 */
public record NbdExport(String name, String description, OpenFile file, long size, boolean readOnly, int minBlock,
                        int preferredBlock, int maxPayload, boolean volatileCache) {
    /** The largest payload ever offered: the protocol's customary default maximum. */
    public static final int MAX_PAYLOAD_LIMIT = 32 << 20;

    public NbdExport {
        if (name.length() > 4096) {
            throw new IllegalArgumentException("export name longer than 4096 bytes");
        }
    }

    /**
     * Describes {@code file} as an export: its constraints come from the device under its filesystem.
     *
     * @throws JiomapException EINVAL when the file is empty or its size is not a multiple of the device's logical
     *                         block size (direct I/O could not reach its last bytes)
     */
    public static NbdExport of(String name, OpenFile file, boolean readOnly) throws JiomapException {
        DeviceCapabilities caps = file.mount().device().capabilities();
        int min = caps.logicalBlockSize();
        long size = file.size();
        if (size <= 0 || size % min != 0) {
            throw new JiomapException(Errno.EINVAL, file.path() + " is " + size + " bytes; an NBD export of it must be"
                    + " a positive multiple of the device's logical block size " + min
                    + " (give it a size that is, e.g. with --size)");
        }
        int max = Math.min(caps.maxTransferBytes(), MAX_PAYLOAD_LIMIT);
        max -= max % min;
        int preferred = Math.max(caps.physicalBlockSize(), file.mount().fileSystem().blockSize());
        preferred = Math.max(min, Math.min(Integer.highestOneBit(preferred), max));
        String description = "jiomap " + file.mount().fileSystem().typeName() + " " + file.path() + " on "
                + file.mount().device().name();
        return new NbdExport(name, description, file, size, readOnly, min, preferred, max, caps.volatileWriteCache());
    }

    /**
     * The transmission flags of this export for a connection: multi-conn (every connection reaches the same inode
     * and the same device, so a FLUSH or FUA on one covers the others), FLUSH and FUA where the device has a
     * volatile cache, TRIM and WRITE_ZEROES when writable, DF when structured replies were negotiated (a read is
     * always answered in one chunk).
     */
    public int transmissionFlags(boolean structuredReplies) {
        int flags = NbdWire.TF_HAS_FLAGS | NbdWire.TF_CAN_MULTI_CONN | NbdWire.TF_SEND_CACHE;
        if (readOnly) {
            flags |= NbdWire.TF_READ_ONLY;
        } else {
            flags |= NbdWire.TF_SEND_TRIM | NbdWire.TF_SEND_WRITE_ZEROES;
            if (volatileCache) {
                flags |= NbdWire.TF_SEND_FLUSH | NbdWire.TF_SEND_FUA;
            }
        }
        if (structuredReplies) {
            flags |= NbdWire.TF_SEND_DF;
        }
        return flags;
    }

    /** Whether a client may ask for this export by {@code requested} (its name, or the empty default name). */
    boolean answersTo(String requested) {
        return requested.isEmpty() || requested.equals(name);
    }
}
