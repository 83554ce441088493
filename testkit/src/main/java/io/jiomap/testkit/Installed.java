package io.jiomap.testkit;

import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.tck.scripted.ScriptedFileSystemType;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The filesystem types and device types on the test class path (or module path), found with {@link ServiceLoader}
 * as the {@code jiomap} command finds them outside OSGi. A type asked for by name that is not there fails with the
 * names that are, never skips.
 */
public final class Installed {
    private Installed() {
    }

    /** Every filesystem type, by name. */
    public static List<FileSystemType> fileSystemTypes() {
        return ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(FileSystemType::name)).toList();
    }

    /** Every device type, by name. */
    public static List<BlockDeviceProvider> deviceProviders() {
        return ServiceLoader.load(BlockDeviceProvider.class).stream().map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparing(BlockDeviceProvider::type)).toList();
    }

    /** The filesystem type called {@code name}. @throws IllegalArgumentException naming the installed ones */
    public static FileSystemType fileSystemType(String name) {
        List<FileSystemType> all = fileSystemTypes();
        return all.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("filesystem type '" + name + "' is not installed; installed: "
                        + all.stream().map(FileSystemType::name).collect(Collectors.joining(", "))
                        + " (a type is installed when its plugin jar, with META-INF/services/"
                        + FileSystemType.class.getName() + ", is on the test class path)"
                        + scriptedHint(List.of(name))));
    }

    /**
     * What to add to a "not installed" message when the missing filesystem types include the TCK's {@code scripted}:
     * its class ships in the TCK jar, but no jar registers it as a service (it is a tool of the tests, not a plugin),
     * so a project that tests with it registers it in its own test resources. Empty for any other type.
     */
    static String scriptedHint(Collection<String> missing) {
        if (!missing.contains(ScriptedFileSystemType.NAME)) {
            return "";
        }
        return "; '" + ScriptedFileSystemType.NAME + "' is the TCK's test filesystem, which no jar registers: add the"
                + " line " + ScriptedFileSystemType.class.getName() + " to src/test/resources/META-INF/services/"
                + FileSystemType.class.getName();
    }

    /** The device type called {@code name}. @throws IllegalArgumentException naming the installed ones */
    public static BlockDeviceProvider deviceProvider(String name) {
        List<BlockDeviceProvider> all = deviceProviders();
        return all.stream().filter(p -> p.type().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("device type '" + name + "' is not installed; installed: "
                        + all.stream().map(BlockDeviceProvider::type).collect(Collectors.joining(", "))
                        + " (a type is installed when its plugin jar, with META-INF/services/"
                        + BlockDeviceProvider.class.getName() + ", is on the test class path)"));
    }
}
