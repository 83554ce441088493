package io.jiomap.cli.format;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsSignature;
import io.jiomap.cli.text.Units;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a device holds, as far as formatting it is concerned: the signatures on it, and whether it is blank.
 *
 * <p>Blank means: no installed filesystem type's {@link FileSystemType#signature} is there, none of the kernel's
 * signatures {@link ForeignSignatures} knows (xfs, ext2/3/4, btrfs, iso9660, LUKS, swap, GPT, MBR) is there, and the
 * device's first and last {@value #EDGE_MIB} MiB (all of it when smaller) read as zeros. Filesystems, volume labels
 * and partition tables keep their signatures in those places, so a fresh memory device or a new or zeroed image is
 * blank, and a device that ever held one of them is not.
 *
 * @param signatures    what claims the device: installed types first, then the kernel's
 * @param firstNonZero  device byte of the first non-zero byte in the places checked, or -1 when they are all zero
 */
public record DeviceContents(List<FsSignature> signatures, long firstNonZero) {
    /** MiB read at each end of the device for the blank test. */
    static final int EDGE_MIB = 1;

    public DeviceContents {
        signatures = List.copyOf(signatures);
    }

    /** Reads the device's edges and asks every installed type. */
    public static DeviceContents inspect(BlockDevice device, Collection<FileSystemType> installed)
            throws JiomapException {
        long capacity = device.capabilities().capacityBytes();
        int edge = EDGE_MIB << 20;
        byte[] head = DeviceBytes.read(device, 0, (int) Math.min(capacity, Math.max(edge, ForeignSignatures.SPAN)));
        long firstNonZero = firstNonZero(head, 0);
        if (firstNonZero < 0 && capacity > head.length) {
            long tailStart = Math.max(head.length, capacity - edge);
            firstNonZero = firstNonZero(DeviceBytes.read(device, tailStart, (int) (capacity - tailStart)), tailStart);
        }
        List<FsSignature> found = new ArrayList<>();
        for (FileSystemType type : installed) {
            type.signature(device).ifPresent(found::add);
        }
        // A kernel signature in the same bytes as an installed type's (ext4-like carries ext4's magic) is that type's.
        for (FsSignature foreign : ForeignSignatures.find(head)) {
            if (found.stream().noneMatch(s -> overlap(s, foreign))) {
                found.add(foreign);
            }
        }
        return new DeviceContents(found, firstNonZero);
    }

    /** No signature and only zeros where signatures live. */
    public boolean blank() {
        return signatures.isEmpty() && firstNonZero < 0;
    }

    /** The signatures of types other than {@code type}. */
    public List<FsSignature> except(String type) {
        return signatures.stream().filter(s -> !s.type().equals(type)).toList();
    }

    /** The signatures as a phrase: "an ext4-like filesystem (64m)" or "a gpt partition table and an xfs ...". */
    public String describe() {
        List<String> parts = signatures.stream().map(DeviceContents::describe).toList();
        return parts.isEmpty() ? "nothing recognisable" : String.join(" and ", parts);
    }

    /** One signature as a phrase: "an xfs-like filesystem (64m, uuid 5f0c...)". */
    public static String describe(FsSignature s) {
        String noun = ForeignSignatures.noun(s.type());
        StringBuilder b = new StringBuilder(article(s.type())).append(' ').append(s.type()).append(' ')
                .append(noun);
        List<String> details = new ArrayList<>();
        if (s.sizeBytes() > 0) {
            details.add(Units.size(s.sizeBytes()));
        }
        if (!s.uuid().isEmpty()) {
            details.add("uuid " + s.uuid());
        }
        if (!details.isEmpty()) {
            b.append(" (").append(String.join(", ", details)).append(')');
        }
        return b.toString();
    }

    /** "an" before a type name read with a vowel sound first (ext4, iso9660, xfs: "ex-fs"), else "a". */
    static String article(String type) {
        return !type.isEmpty() && "aeiox".indexOf(Character.toLowerCase(type.charAt(0))) >= 0 ? "an" : "a";
    }

    private static boolean overlap(FsSignature a, FsSignature b) {
        return a.located() && b.located() && a.offset() < b.offset() + b.length()
                && b.offset() < a.offset() + a.length();
    }

    private static long firstNonZero(byte[] bytes, long base) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return base + i;
            }
        }
        return -1;
    }
}
