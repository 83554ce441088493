package io.jiomap.nbd.server;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.api.vfs.FileExtent;
import io.jiomap.core.OpenFile;
import io.jiomap.device.nbd.wire.NbdWire;
import java.util.List;

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
 * @param trim           how a TRIM is carried out, and whether it is offered at all
 */
public record NbdExport(String name, String description, OpenFile file, long size, boolean readOnly, int minBlock,
                        int preferredBlock, int maxPayload, boolean volatileCache, Trim trim) {
    /** How the export carries out a TRIM. */
    public enum Trim {
        /** One file of a filesystem: the file's range is punched through the inode's fallocate (a hint). */
        PUNCH,
        /** The whole device (the file is the device, byte for byte): the range is discarded on the device. */
        DISCARD,
        /** The whole device, which cannot discard: TRIM is not offered. */
        NONE
    }

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
        return new NbdExport(name, description, file, size, readOnly, min, preferred, max, caps.volatileWriteCache(),
                trimOf(file, caps));
    }

    /**
     * A file that is the whole device (one extent from device byte 0 over the device's capacity: the raw filesystem's
     * file) is trimmed by discarding on the device, where it can discard; any other file by punching it.
     */
    private static Trim trimOf(OpenFile file, DeviceCapabilities caps) {
        long size = file.size();
        List<FileExtent> extents = size == caps.capacityBytes() ? file.fiemap(0, size) : List.of();
        boolean wholeDevice = extents.size() == 1 && extents.getFirst().logical() == 0
                && extents.getFirst().physical() == 0 && extents.getFirst().length() == size;
        if (!wholeDevice) {
            return Trim.PUNCH;
        }
        return caps.canDiscard() ? Trim.DISCARD : Trim.NONE;
    }

    /**
     * The transmission flags of this export for a connection: multi-conn (every connection reaches the same inode
     * and the same device, so a FLUSH or FUA on one covers the others), FLUSH and FUA where the device has a
     * volatile cache, WRITE_ZEROES when writable, TRIM when writable and {@link #trim} is not NONE, DF when structured replies were negotiated (a read is
     * always answered in one chunk).
     */
    public int transmissionFlags(boolean structuredReplies) {
        int flags = NbdWire.TF_HAS_FLAGS | NbdWire.TF_CAN_MULTI_CONN | NbdWire.TF_SEND_CACHE;
        if (readOnly) {
            flags |= NbdWire.TF_READ_ONLY;
        } else {
            flags |= NbdWire.TF_SEND_WRITE_ZEROES;
            if (trim != Trim.NONE) {
                flags |= NbdWire.TF_SEND_TRIM;
            }
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
