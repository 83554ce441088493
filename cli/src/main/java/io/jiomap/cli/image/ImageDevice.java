package io.jiomap.cli.image;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsSignature;
import io.jiomap.cli.format.DeviceContents;
import io.jiomap.cli.plugin.Plugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image file opened as a device: through the plain file device by default, or behind a device model
 * ({@code --device=nvme-like:queues=2}), with {@code path=IMAGE} added to the spec so the model keeps its blocks in
 * the image. Without an image, {@code --device} alone names the device ({@code nbd:uri=nbd://host/export},
 * {@code file:path=x.img}) and is opened as it is. What mkfs, fsck and io share.
 */
public final class ImageDevice {
    /** The device type an image is opened with unless {@code --device} names another. */
    public static final String DEFAULT_TYPE = "file";

    private ImageDevice() {
    }

    /**
     * Opens {@code image} through the device type of {@code deviceSpec} (null: the file device), or, when
     * {@code image} is null, the device {@code deviceSpec} names on its own.
     *
     * @param size bytes to create or extend the image to, or -1 to use it as it is (it must then exist)
     * @throws IllegalArgumentException a spec that does not parse or that names its own path; neither an image nor a
     *                                  spec; a size without an image
     * @throws JiomapException          ENOENT for a missing image without a size, or what the device refuses
     */
    public static BlockDevice open(Plugins plugins, String deviceSpec, Path image, long size) throws JiomapException {
        if (image == null) {
            DeviceSpec spec = deviceOnly(deviceSpec, size);
            return plugins.deviceProvider(spec.type()).open(spec);
        }
        DeviceSpec spec = spec(deviceSpec, image, size);
        if (size < 0 && !Files.exists(image)) {
            throw new JiomapException(Errno.ENOENT, image + " does not exist (mkfs creates it with --size)");
        }
        return plugins.deviceProvider(spec.type()).open(spec);
    }

    /** How messages name what was opened: the image, or the {@code --device} spec that stands for it. */
    public static String label(String deviceSpec, Path image) {
        return image != null ? image.toString() : deviceSpec;
    }

    static DeviceSpec deviceOnly(String deviceSpec, long size) {
        if (deviceSpec == null) {
            throw new IllegalArgumentException("name an IMAGE file, or a device with --device=TYPE:key=value,..."
                    + " (e.g. --device='nbd:uri=nbd+unix:///?socket=/tmp/disk.sock' or --device=file:path=x.img)");
        }
        if (size >= 0) {
            throw new IllegalArgumentException("--size creates or grows an IMAGE file; the device --device="
                    + deviceSpec + " names has its own size (give its size= option where its type takes one)");
        }
        try {
            return DeviceSpec.parse(deviceSpec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device=" + deviceSpec + ": " + e.getMessage(), e);
        }
    }

    static DeviceSpec spec(String deviceSpec, Path image, long size) {
        DeviceSpec base;
        try {
            base = DeviceSpec.parse(deviceSpec == null ? DEFAULT_TYPE : deviceSpec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device=" + deviceSpec + ": " + e.getMessage(), e);
        }
        if (base.options().containsKey("path")) {
            throw new IllegalArgumentException("--device=" + deviceSpec + ": the image path is the IMAGE argument;"
                    + " leave path= out of --device");
        }
        Map<String, String> options = new LinkedHashMap<>(base.options());
        options.put("path", image.toString());
        if (size >= 0) {
            options.put("size", Long.toString(size));
        }
        return new DeviceSpec(base.type(), options);
    }

    /**
     * The filesystem type the device holds, read from its superblock as mount(8) does with blkid: the one
     * installed type whose {@link FileSystemType#probe} claims it, or the type named by {@code fsName}.
     *
     * @throws JiomapException EINVAL when no installed type recognises the device (or more than one does), naming
     *                         the types tried; ENODEV for an unknown {@code fsName}
     */
    public static FileSystemType detect(Plugins plugins, BlockDevice device, String fsName, Path image)
            throws JiomapException {
        return detect(plugins, device, fsName, image.toString());
    }

    /** {@link #detect(Plugins, BlockDevice, String, Path)} for a device named by {@code what} in messages. */
    public static FileSystemType detect(Plugins plugins, BlockDevice device, String fsName, String what)
            throws JiomapException {
        if (fsName != null) {
            return plugins.fileSystemType(fsName);
        }
        List<String> tried = new ArrayList<>();
        List<FileSystemType> claims = new ArrayList<>();
        for (FileSystemType type : plugins.fileSystemTypes()) {
            tried.add(type.name());
            if (type.probe(device)) {
                claims.add(type);
            }
        }
        if (claims.size() == 1) {
            return claims.getFirst();
        }
        if (claims.isEmpty()) {
            List<FsSignature> foreign = DeviceContents.inspect(device, List.of()).signatures();
            throw new JiomapException(Errno.EINVAL, what + " holds no filesystem that an installed type recognises"
                    + " (tried " + (tried.isEmpty() ? "none: no filesystem types installed" : String.join(", ", tried))
                    + ")" + (foreign.isEmpty() ? "; make one with jiomap mkfs, or name the type with --fs"
                    : "; it holds " + new DeviceContents(foreign, -1).describe() + ", which no jiomap type reads"));
        }
        throw new JiomapException(Errno.EINVAL, what + " is claimed by several filesystem types ("
                + String.join(", ", claims.stream().map(FileSystemType::name).toList()) + "); name one with --fs");
    }
}
