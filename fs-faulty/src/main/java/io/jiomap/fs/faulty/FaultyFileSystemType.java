package io.jiomap.fs.faulty;

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
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@code faulty} filesystem type: the type named by {@code over=} with faults injected into its direct-I/O
 * callbacks, configured by mount options (the grammar is in {@link #description()} and the module README). mkfs
 * and fsck go straight to the inner type; the faults act on mounts only, where the core calls the filesystem.
 *
 * <p>On plain Java the public constructor finds the inner types with {@link ServiceLoader}; inside OSGi the
 * {@link FaultyActivator} hands it the types its service tracker sees.
 */
public final class FaultyFileSystemType implements FileSystemType {
    public static final String NAME = "faulty";

    private final Supplier<? extends Collection<FileSystemType>> installed;

    /** The inner types are the ones {@link ServiceLoader} finds (the class path or module path). */
    public FaultyFileSystemType() {
        this(() -> ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get).toList());
    }

    /** The inner types are whatever {@code installed} answers at each mkfs, mount or fsck. */
    public FaultyFileSystemType(Supplier<? extends Collection<FileSystemType>> installed) {
        this.installed = installed;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "another filesystem with injected faults: over=TYPE (required), inner.KEY=VALUE for TYPE,"
                + " fail-begin=ERRNO[@WHERE], fail-end-io=ERRNO[@WHERE], force=dirty|new|shared[+...][@WHERE],"
                + " delay=DURATION[@WHERE] on direct writes; WHERE is N (the Nth call), N+ (from the Nth on),"
                + " START-END (file bytes) or /PATH (default: every call)";
    }

    @Override
    public void mkfs(BlockDevice device, Map<String, String> options) throws JiomapException {
        FaultPlan plan = FaultPlan.parse(options);
        inner(plan).mkfs(device, plan.innerOptions());
    }

    /** A fresh faulty filesystem is a fresh filesystem of the wrapped type: only {@code over} carries over. */
    @Override
    public Map<String, String> mkfsOptionsFor(Map<String, String> mountOptions) {
        String over = mountOptions.get(FaultPlan.OVER);
        return over == null ? Map.of() : Map.of(FaultPlan.OVER, over);
    }

    /**
     * On disk a faulty filesystem is the wrapped type's. Without {@code over} it is its own name, which nothing on
     * disk carries: the device is then formatted only when blank, and that mkfs says {@code over} is needed.
     */
    @Override
    public Optional<String> onDiskType(Map<String, String> mountOptions) {
        return Optional.of(mountOptions.getOrDefault(FaultPlan.OVER, NAME));
    }

    // tag::faulty-mount[]
    @Override
    public FileSystem mount(BlockDevice device, MountContext context) throws JiomapException {
        FaultPlan plan = FaultPlan.parse(context.options());
        FaultyEngine engine = new FaultyEngine(context.directIo(), plan.faults());
        FileSystem inner = inner(plan).mount(device, new MountContext() {
            @Override
            public DirectIoEngine directIo() {
                return engine;
            }

            @Override
            public Map<String, String> options() {
                return plan.innerOptions();
            }
        });
        return new FaultyFileSystem(inner, engine);
    }
    // end::faulty-mount[]

    /** Faulty has no on-disk format of its own: it never claims a device, so it is used only when named. */
    @Override
    public boolean probe(BlockDevice device) {
        return false;
    }

    @Override
    public FsckReport fsck(BlockDevice device, Map<String, String> options) throws JiomapException {
        FaultPlan plan = FaultPlan.parse(options);
        return inner(plan).fsck(device, plan.innerOptions());
    }

    private FileSystemType inner(FaultPlan plan) throws JiomapException {
        if (plan.over().equals(NAME)) {
            throw new JiomapException(Errno.EINVAL, "over=" + NAME + ": the faulty filesystem cannot wrap itself");
        }
        Collection<FileSystemType> types = installed.get();
        for (FileSystemType t : types) {
            if (t.name().equals(plan.over())) {
                return t;
            }
        }
        String others = types.stream().map(FileSystemType::name).filter(n -> !n.equals(NAME)).sorted()
                .collect(Collectors.joining(", "));
        throw new JiomapException(Errno.ENODEV, "over=" + plan.over() + ": no such filesystem type; installed: "
                + (others.isEmpty() ? "none" : others));
    }
}
