package io.jiomap.cli.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a benchmark report says about where it ran, so numbers from different machines are never compared unknowingly.
 *
 * @param jvm      vendor, VM name and full version
 * @param jvmArgs  the JVM's own arguments (flags such as -XX:... change what is measured)
 * @param nproc    processors available to the JVM (what {@code nproc} prints)
 * @param os       os.name, os.version and os.arch
 * @param cpuModel the model name from /proc/cpuinfo, or "unknown" where it is not readable
 */
public record MachineInfo(String jvm, String jvmArgs, int nproc, String os, String cpuModel) {
    public static MachineInfo current() {
        String jvm = System.getProperty("java.vm.vendor", "?") + " " + System.getProperty("java.vm.name", "?") + " "
                + Runtime.version();
        String os = System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "?") + " "
                + System.getProperty("os.arch", "?");
        // Paths say nothing about performance and would drown the flags that do.
        String args = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("--module-path") && !a.startsWith("-Djdk.module.")
                        && !a.startsWith("-Djava.class.path"))
                .collect(Collectors.joining(" "));
        return new MachineInfo(jvm, args.isEmpty() ? "(none)" : args, Runtime.getRuntime().availableProcessors(), os,
                readCpuModel());
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
                    int colon = line.indexOf(':');
                    if (colon >= 0) {
                        return line.substring(colon + 1).trim();
                    }
                }
            }
        } catch (IOException | SecurityException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown";
    }
}
