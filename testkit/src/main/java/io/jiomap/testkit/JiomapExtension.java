package io.jiomap.testkit;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.vfs.FileSystem;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * The engine of {@link JiomapTest}: one invocation per (filesystem, device) pair, each with its own
 * {@link JiomapRig}, made when the first parameter needs it and closed after the test.
 */
public final class JiomapExtension implements TestTemplateInvocationContextProvider {
    private static final Set<Class<?>> RESOLVED = Set.of(JiomapRig.class, Mount.class, FileSystem.class,
            FileSystemType.class, BlockDevice.class, BlockDeviceProvider.class, OpenFile.class);

    /** One filesystem of the matrix with its options. */
    private record FsChoice(FileSystemType type, Map<String, String> mkfs, Map<String, String> mount) {
    }

    /** One device type of the matrix with its spec options. */
    private record DeviceChoice(BlockDeviceProvider provider, Map<String, String> options) {
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(JiomapTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        JiomapTest test = context.getRequiredTestMethod().getAnnotation(JiomapTest.class);
        String where = "@JiomapTest on " + context.getRequiredTestMethod().getName();
        List<FsChoice> fileSystems = fileSystems(test, where);
        List<DeviceChoice> devices = devices(test, where);
        List<TestTemplateInvocationContext> pairs = new ArrayList<>();
        for (FsChoice fs : fileSystems) {
            for (DeviceChoice d : devices) {
                pairs.add(new Pair(fs, d));
            }
        }
        return pairs.stream();
    }

    private static List<FsChoice> fileSystems(JiomapTest test, String where) {
        List<FileSystemType> installed = Installed.fileSystemTypes();
        Map<String, Map<String, String>> mkfs = new HashMap<>();
        for (String m : test.mkfs()) {
            DeviceSpec spec = parse(m, where, "mkfs");
            mkfs.put(spec.type(), spec.options());
        }
        List<DeviceSpec> asked = test.fs().length == 0
                ? installed.stream().map(t -> new DeviceSpec(t.name(), Map.of())).toList()
                : Stream.of(test.fs()).map(s -> parse(s, where, "fs")).toList();
        List<String> missing = new ArrayList<>();
        List<FsChoice> choices = new ArrayList<>();
        for (DeviceSpec spec : asked) {
            installed.stream().filter(t -> t.name().equals(spec.type())).findFirst().ifPresentOrElse(
                    t -> choices.add(new FsChoice(t, mkfs.getOrDefault(t.name(), t.mkfsOptionsFor(spec.options())),
                            spec.options())),
                    () -> missing.add(spec.type()));
        }
        if (!missing.isEmpty() || choices.isEmpty()) {
            throw new ExtensionConfigurationException(where + " names filesystem types that are not installed: "
                    + missing + "; installed: " + installed.stream().map(FileSystemType::name).toList()
                    + " (put the plugin on the test class path)" + Installed.scriptedHint(missing));
        }
        return choices;
    }

    private static List<DeviceChoice> devices(JiomapTest test, String where) {
        List<BlockDeviceProvider> installed = Installed.deviceProviders();
        List<DeviceSpec> asked = test.devices().length == 0
                ? installed.stream().map(p -> new DeviceSpec(p.type(), Map.of())).toList()
                : Stream.of(test.devices()).map(s -> parse(s, where, "devices")).toList();
        List<String> missing = new ArrayList<>();
        List<DeviceChoice> choices = new ArrayList<>();
        for (DeviceSpec spec : asked) {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("size", test.size());
            options.putAll(spec.options());
            installed.stream().filter(p -> p.type().equals(spec.type())).findFirst().ifPresentOrElse(
                    p -> choices.add(new DeviceChoice(p, options)), () -> missing.add(spec.type()));
        }
        if (!missing.isEmpty() || choices.isEmpty()) {
            throw new ExtensionConfigurationException(where + " names device types that are not installed: "
                    + missing + "; installed: " + installed.stream().map(BlockDeviceProvider::type).toList()
                    + " (put the plugin on the test class path)");
        }
        return choices;
    }

    private static DeviceSpec parse(String text, String where, String attribute) {
        try {
            return DeviceSpec.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException(where + ": " + attribute + " = \"" + text + "\": "
                    + e.getMessage(), e);
        }
    }

    /** One invocation: named after the pair, with the resolver that builds and closes its rig. */
    private record Pair(FsChoice fs, DeviceChoice device) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + fs.type().name() + describe(fs.mount()) + " on " + device.provider().type()
                    + describe(device.options().entrySet().stream().filter(e -> !e.getKey().equals("size"))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))) + "]";
        }

        private static String describe(Map<String, String> options) {
            return options.isEmpty() ? "" : options.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .sorted().collect(Collectors.joining(",", ":", ""));
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new RigResolver(this));
        }
    }

    /** Makes the rig of one invocation on first use, resolves parameters from it, closes it after the test. */
    private static final class RigResolver implements ParameterResolver, AfterEachCallback {
        private final Pair pair;
        private JiomapRig rig;

        RigResolver(Pair pair) {
            this.pair = pair;
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
            return RESOLVED.contains(parameter.getParameter().getType());
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
            Class<?> type = parameter.getParameter().getType();
            try {
                JiomapRig r = rig();
                if (type == JiomapRig.class) {
                    return r;
                } else if (type == Mount.class) {
                    return r.mount();
                } else if (type == FileSystem.class) {
                    return r.fileSystem();
                } else if (type == FileSystemType.class) {
                    return r.type();
                } else if (type == BlockDevice.class) {
                    return r.device();
                } else if (type == BlockDeviceProvider.class) {
                    return r.provider();
                }
                TestFile file = parameter.findAnnotation(TestFile.class).orElse(null);
                return file == null ? r.file(TestFile.DEFAULT_PATH) : r.file(file.value(), file.flags());
            } catch (JiomapException e) {
                throw new ParameterResolutionException("[" + pair.fs().type().name() + " on "
                        + pair.device().provider().type() + "]: cannot provide " + type.getSimpleName() + ": "
                        + e.getMessage(), e);
            }
        }

        private JiomapRig rig() throws JiomapException {
            if (rig == null) {
                rig = JiomapRig.start(pair.fs().type(), pair.fs().mkfs(), pair.fs().mount(),
                        new FreshDevices(pair.device().provider(), pair.device().options()));
            }
            return rig;
        }

        @Override
        public void afterEach(ExtensionContext context) throws Exception {
            JiomapRig r = rig;
            rig = null;
            if (r != null) {
                r.close();
            }
        }
    }
}
