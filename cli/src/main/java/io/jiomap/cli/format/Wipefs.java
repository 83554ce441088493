package io.jiomap.cli.format;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FsSignature;
import java.util.HexFormat;

/** Erases signatures the way wipefs does: the magic bytes only, so nothing claims the device any more. */
final class Wipefs {
    private Wipefs() {
    }

    /** A signature erased, with the bytes it had, so that it can be put back. */
    record Erased(FsSignature signature, byte[] magic) {
        /** As wipefs says it: "2 bytes were erased at offset 0x438 (ext4-like): 53 ef". */
        String describe() {
            return magic.length + " bytes were erased at offset 0x" + Long.toHexString(signature.offset()) + " ("
                    + signature.type() + "): " + HexFormat.ofDelimiter(" ").formatHex(magic);
        }

        /** Writes the magic back (a format that failed leaves the device as it found it). */
        void restore(BlockDevice device) throws JiomapException {
            DeviceBytes.write(device, signature.offset(), magic);
        }
    }

    /**
     * Zeroes the signature's magic, durably.
     *
     * @throws IllegalArgumentException for a signature whose place is unknown
     */
    static Erased erase(BlockDevice device, FsSignature s) throws JiomapException {
        if (!s.located()) {
            throw new IllegalArgumentException("the " + s.type() + " signature's place is unknown");
        }
        byte[] old = DeviceBytes.read(device, s.offset(), s.length());
        DeviceBytes.write(device, s.offset(), new byte[s.length()]);
        return new Erased(s, old);
    }
}
