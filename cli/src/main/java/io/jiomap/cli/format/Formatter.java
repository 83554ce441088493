package io.jiomap.cli.format;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsSignature;
import io.jiomap.core.Mount;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Writing a filesystem onto a device without leaving it claimed by two types, and the decision bench, fio and the
 * shell's mount take before they mount ({@link FormatPolicy}).
 */
public final class Formatter {
    private Formatter() {
    }

    /**
     * Wipes every signature on the device (as mkfs.xfs does through wipefs), writes an empty {@code type} filesystem,
     * and checks that at most one type claims the device afterwards. When mkfs fails (an option it refuses), the
     * wiped signatures are written back before the error is thrown.
     *
     * @param notes told what was wiped, one line each as wipefs prints it, once mkfs has succeeded
     * @throws JiomapException what mkfs refuses; EINVAL for another type's signature whose place is unknown (it could
     *                         not be wiped, so nothing was written); EIO when two types still claim the device
     */
    public static void format(FileSystemType type, BlockDevice device, Map<String, String> mkfsOptions,
                              Collection<FileSystemType> installed, Consumer<String> notes) throws JiomapException {
        List<FsSignature> found = DeviceContents.inspect(device, installed).signatures();
        for (FsSignature s : found) {
            // A type's own superblock is overwritten by its mkfs even where the type does not say where it lies.
            if (!s.located() && !s.type().equals(type.name())) {
                throw new JiomapException(Errno.EINVAL, device.name() + " holds " + DeviceContents.describe(s)
                        + ", whose type does not say where its signature lies (FileSystemType.signature), so it"
                        + " cannot be wiped; nothing was written (zero the device first)");
            }
        }
        List<Wipefs.Erased> erased = new ArrayList<>();
        try {
            for (FsSignature s : found) {
                if (s.located()) {
                    erased.add(Wipefs.erase(device, s));
                }
            }
            Mount.mkfs(type, device, mkfsOptions);
        } catch (JiomapException | RuntimeException e) {
            // Most often mkfs refused an option before writing anything: the device is then as it was.
            for (Wipefs.Erased w : erased.reversed()) {
                try {
                    w.restore(device);
                } catch (JiomapException | RuntimeException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        }
        for (Wipefs.Erased w : erased) {
            notes.accept(w.describe());
        }
        DeviceContents after = DeviceContents.inspect(device, installed);
        if (after.signatures().size() > 1) {
            throw new JiomapException(Errno.EIO, "after mkfs of " + type.name() + ", " + device.name()
                    + " is still claimed by " + after.describe() + ": a type's signature() does not give the place"
                    + " of its magic, so it was not wiped");
        }
    }

    /**
     * Makes the device ready for mounting {@code type} with {@code mountOptions} as {@code policy} says.
     *
     * @param what  the device as the user named it, for messages (e.g. {@code file:path=my.img})
     * @param notes told, in one line, when an existing filesystem is mounted as it is, or what was wiped
     * @throws JiomapException EEXIST when the policy is {@link FormatPolicy#IF_BLANK} and the device holds something
     *                         else than a blank device or a filesystem of the type; the message says what is there
     *                         and how to mount or to format it
     */
    public static void prepare(FormatPolicy policy, FileSystemType type, Map<String, String> mountOptions,
                               BlockDevice device, String what, Collection<FileSystemType> installed,
                               Consumer<String> notes) throws JiomapException {
        switch (policy) {
            case NEVER -> { }
            case ALWAYS -> format(type, device, type.mkfsOptionsFor(mountOptions), installed,
                    line -> notes.accept(what + ": " + line));
            case IF_BLANK -> ifBlank(type, mountOptions, device, what, installed, notes);
        }
    }

    private static void ifBlank(FileSystemType type, Map<String, String> mountOptions, BlockDevice device,
                                String what, Collection<FileSystemType> installed, Consumer<String> notes)
            throws JiomapException {
        DeviceContents contents = DeviceContents.inspect(device, installed);
        Optional<String> own = type.onDiskType(mountOptions);
        String fs = own.orElse(type.name());
        List<FsSignature> others = own.map(contents::except).orElse(contents.signatures());
        if (!others.isEmpty()) {
            String refusal;
            if (contents.signatures().size() > 1) {
                refusal = ", claimed by more than one type; jiomap formats only a blank device unasked: --mkfs=1"
                        + " wipes them and " + (own.isPresent() ? "makes a new " + fs + " filesystem"
                        : "uses the device as " + fs);
            } else {
                String there = others.getFirst().type();
                String mountIt = installed.stream().anyMatch(t -> t.name().equals(there))
                        ? "it mounts as " + there + ", and " : "";
                refusal = own.isPresent()
                        ? ", not " + DeviceContents.article(fs) + " " + fs + " filesystem; jiomap formats only a blank"
                        + " device unasked: " + mountIt + "--mkfs=1 wipes it and makes a new " + fs + " filesystem"
                        : "; " + fs + " would write over it, which jiomap does only when asked: " + mountIt
                        + "--mkfs=1 wipes it and uses the device as " + fs;
            }
            throw new JiomapException(Errno.EEXIST, what + " holds " + contents.describe() + refusal);
        }
        if (!contents.signatures().isEmpty()) {
            notes.accept(what + " holds " + contents.describe() + ": mounting it as it is (--mkfs=1 formats it"
                    + " afresh)");
            return;
        }
        if (own.isEmpty()) {
            if (!contents.blank()) {
                notes.accept(what + " is not blank and carries no signature: " + type.name() + " uses its content as"
                        + " it is");
            }
            return;
        }
        if (!contents.blank()) {
            throw new JiomapException(Errno.EEXIST, what + " is not blank (byte " + contents.firstNonZero()
                    + " is not zero) and carries no signature jiomap knows; jiomap formats only a blank device"
                    + " unasked: --mkfs=1 makes a new " + fs + " filesystem on it, --mkfs=0 mounts it as it is");
        }
        Mount.mkfs(type, device, type.mkfsOptionsFor(mountOptions));
    }
}
