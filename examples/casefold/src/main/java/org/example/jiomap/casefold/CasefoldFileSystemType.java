package org.example.jiomap.casefold;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.api.fs.FsckReport;
import io.jiomap.api.fs.MountContext;
import io.jiomap.api.iomap.DirectIoEngine;
import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@code casefold} filesystem type: the type named by {@code over=} with names that ignore case, as ext4's
 * casefold directories do for software ported from Windows or macOS. mkfs, fsck and the direct-I/O path are the
 * wrapped type's own; only the paths change on the way through.
 *
 * <p>On plain Java the public constructor finds the wrapped types with {@link ServiceLoader}; inside OSGi the
 * {@link CasefoldActivator} hands it the types its service tracker sees.
 */
public final class CasefoldFileSystemType implements FileSystemType {
    public static final String NAME = "casefold";

    private final Supplier<? extends Collection<FileSystemType>> installed;

    /** The wrapped types are the ones {@link ServiceLoader} finds (this module {@code uses} the service). */
    public CasefoldFileSystemType() {
        this(() -> ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    /** The wrapped types are whatever {@code installed} answers at each mkfs, mount or fsck. */
    public CasefoldFileSystemType(Supplier<? extends Collection<FileSystemType>> installed) {
        this.installed = installed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "another filesystem with case-insensitive names, stored in lower case: over=TYPE (required),"
                + " inner.KEY=VALUE for TYPE";
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        CasefoldOptions o = CasefoldOptions.parse(options);
        inner(o).mkfs(device, o.innerOptions());
    }

    // tag::casefold-mkfs-options[]
    /**
     * A fresh casefold filesystem is a fresh filesystem of the wrapped type, so the tools that make one for a mount
     * ({@code jiomap:mount --mkfs}, bench, fio, {@code @JiomapTest}) must know which: {@code over} carries over.
     * Without this method they call mkfs with no options, and mkfs refuses them for want of {@code over=}.
     */
    @Override
    public Map<String, String> mkfsOptionsFor(Map<String, String> mountOptions) {
        String over = mountOptions.get(CasefoldOptions.OVER);
        return over == null ? Map.of() : Map.of(CasefoldOptions.OVER, over);
    }
    // end::casefold-mkfs-options[]

    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        CasefoldOptions o = CasefoldOptions.parse(context.options());
        // The wrapped type gets the core's engine as it is and its own options.
        FileSystem inner = inner(o).mount(device, new MountContext() {
            @Override
            public DirectIoEngine directIo() {
                return context.directIo();
            }

            @Override
            public Map<String, String> options() {
                return o.innerOptions();
            }
        });
        return new CasefoldFileSystem(inner);
    }

    /** No on-disk format of its own: it never claims a device, so it is used only when named. */
    @Override
    public boolean probe(BlockDevice device) {
        return false;
    }

    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
        CasefoldOptions o = CasefoldOptions.parse(options);
        return inner(o).fsck(device, o.innerOptions());
    }

    private FileSystemType inner(CasefoldOptions o) throws JiomapException {
        if (o.over().equals(NAME)) {
            throw new JiomapException(Errno.EINVAL, "over=" + NAME + ": casefold cannot wrap itself");
        }
        Collection<FileSystemType> types = installed.get();
        for (FileSystemType t : types) {
            if (t.name().equals(o.over())) {
                return t;
            }
        }
        String others = types.stream().map(FileSystemType::name).filter(n -> !n.equals(NAME)).sorted()
                .collect(Collectors.joining(", "));
        throw new JiomapException(Errno.ENODEV, "over=" + o.over() + ": no such filesystem type; installed: "
                + (others.isEmpty() ? "none" : others));
    }
}
