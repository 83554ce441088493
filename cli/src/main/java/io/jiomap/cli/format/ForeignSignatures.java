package io.jiomap.cli.format;

import io.jiomap.api.fs.FsSignature;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Signatures of what the kernel and other tools put on disks, which no jiomap type mounts but a format would
 * destroy: the magic blkid looks for, at the same places, with size and UUID where the superblock gives them. All
 * lie in a device's first MiB ({@link #SPAN}).
 */
final class ForeignSignatures {
    /** Every magic below lies before this byte. */
    static final int SPAN = 1 << 20;

    private ForeignSignatures() {
    }

    /** One kind of signature: its magic at its offset, and how to read size and UUID next to it. */
    private record Kind(String type, String noun, long offset, byte[] magic) {
        boolean matches(ByteBuffer head) {
            if (offset + magic.length > head.limit()) {
                return false;
            }
            for (int i = 0; i < magic.length; i++) {
                if (head.get((int) offset + i) != magic[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Kind> KINDS = List.of(
            new Kind("xfs", "filesystem", 0, ascii("XFSB")),
            new Kind("ext", "filesystem", 1080, new byte[] {0x53, (byte) 0xEF}),
            new Kind("btrfs", "filesystem", 0x10040, ascii("_BHRfS_M")),
            new Kind("iso9660", "filesystem", 32769, ascii("CD001")),
            new Kind("crypto_LUKS", "volume", 0, new byte[] {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE}),
            new Kind("swap", "area", 4086, ascii("SWAPSPACE2")),
            new Kind("gpt", "partition table", 512, ascii("EFI PART")),
            new Kind("gpt", "partition table", 4096, ascii("EFI PART")),
            new Kind("dos", "partition table or boot sector", 510, new byte[] {0x55, (byte) 0xAA}));

    /** The signatures found in {@code head}, the device's first bytes (up to {@link #SPAN}). */
    static List<FsSignature> find(byte[] head) {
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        List<FsSignature> found = new ArrayList<>();
        for (Kind k : KINDS) {
            if (k.matches(b)) {
                // Size and UUID only when the whole superblock was read; the magic alone names the kind.
                found.add(switch (k.type()) {
                    case "xfs" -> head.length >= 512 ? xfs(b) : bare(k, "xfs");
                    case "ext" -> head.length >= 2048 ? ext(b) : bare(k, "ext2");
                    case "btrfs" -> head.length >= 0x10080 ? new FsSignature("btrfs", k.offset(), k.magic().length,
                            b.getLong(0x10070), uuid(b, 0x10020)) : bare(k, "btrfs");
                    default -> bare(k, k.type());
                });
            }
        }
        return found;
    }

    private static FsSignature bare(Kind k, String type) {
        return new FsSignature(type, k.offset(), k.magic().length, -1, "");
    }

    /** What a signature of {@code type} marks, for messages: "filesystem", "partition table", ... */
    static String noun(String type) {
        for (Kind k : KINDS) {
            if (k.type().equals(type) || (k.type().equals("ext") && type.matches("ext[234]"))) {
                return k.noun();
            }
        }
        return "filesystem";
    }

    /** XFS: big-endian block size at 4 and data blocks at 8, UUID at 32. */
    private static FsSignature xfs(ByteBuffer b) {
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        long size = Integer.toUnsignedLong(be.getInt(4)) * be.getLong(8);
        return new FsSignature("xfs", 0, 4, size < 0 ? -1 : size, uuid(b, 32));
    }

    /**
     * ext2/3/4: the superblock at 1024; ext4 when it uses extents, 64-bit or flex_bg (incompat 0x40, 0x80, 0x200),
     * ext3 when it has a journal (compat 0x4), else ext2.
     */
    private static FsSignature ext(ByteBuffer b) {
        int sb = 1024;
        long incompat = Integer.toUnsignedLong(b.getInt(sb + 0x60));
        long compat = Integer.toUnsignedLong(b.getInt(sb + 0x5C));
        String type = (incompat & (0x40 | 0x80 | 0x200)) != 0 ? "ext4" : (compat & 0x4) != 0 ? "ext3" : "ext2";
        long blocks = Integer.toUnsignedLong(b.getInt(sb + 0x04));
        if ((incompat & 0x80) != 0) {
            blocks |= Integer.toUnsignedLong(b.getInt(sb + 0x150)) << 32;
        }
        int logBlock = b.getInt(sb + 0x18);
        long size = logBlock >= 0 && logBlock <= 6 ? blocks * (1024L << logBlock) : -1;
        return new FsSignature(type, 1080, 2, size, uuid(b, sb + 0x68));
    }

    /** The 16 bytes at {@code at} as a UUID, or empty when they are all zero. */
    private static String uuid(ByteBuffer b, int at) {
        byte[] u = new byte[16];
        b.get(at, u);
        boolean zero = true;
        for (byte x : u) {
            zero &= x == 0;
        }
        if (zero) {
            return "";
        }
        String h = HexFormat.of().formatHex(u);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
