package io.jiomap.cli.fio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * fio's command line and job files, read the way fio reads them: options before the first {@code --name} are global,
 * {@code --name=X} starts job X and the options after it belong to X; a job file has a {@code [global]} section and
 * one section per job. Values are kept as text here; {@link JobSpec} gives them meaning.
 *
 * @param run    options of the whole run (output format, device, filesystem, workqueue, mkfs)
 * @param global options every job inherits
 * @param jobs   each job's own options, in order; each has {@code name}
 */
record FioArgs(Map<String, String> run, Map<String, String> global, List<Map<String, String>> jobs) {
    FioArgs {
        run = Collections.unmodifiableMap(new LinkedHashMap<>(run));
        global = Collections.unmodifiableMap(new LinkedHashMap<>(global));
        jobs = jobs.stream().map(j -> Collections.unmodifiableMap(new LinkedHashMap<>(j))).toList();
    }

    /**
     * Parses command-line arguments; an argument that is not an option names a job file, read first.
     *
     * @throws IllegalArgumentException naming every unknown option, a missing value, or an unreadable job file
     */
    static FioArgs parse(List<String> args) {
        Map<String, String> run = new LinkedHashMap<>();
        Map<String, String> global = new LinkedHashMap<>();
        List<Map<String, String>> fileJobs = new ArrayList<>();
        List<Map<String, String>> jobs = new ArrayList<>();
        Set<String> unknown = new LinkedHashSet<>();
        Map<String, String> current = global;
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                readJobFile(Path.of(arg), run, global, fileJobs, unknown);
                continue;
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String value = eq < 0 ? null : body.substring(eq + 1);
            FioOption option = FioOption.find(name);
            if (option == null || !arg.startsWith("--")) {
                unknown.add(eq < 0 ? arg : arg.substring(0, arg.indexOf('=')));
                continue;
            }
            value = valueOf(option, value, "--" + name);
            if (option.name().equals("name")) {
                current = new LinkedHashMap<>();
                current.put("name", value);
                jobs.add(current);
            } else if (option.run()) {
                run.put(option.name(), value);
            } else {
                current.put(canonical(option), value);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option" + (unknown.size() > 1 ? "s" : "") + ": "
                    + String.join(", ", unknown) + " (jiomap fio --help lists the options it runs)");
        }
        List<Map<String, String>> all = new ArrayList<>(fileJobs);
        all.addAll(jobs);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no job defined: start one with --name=NAME");
        }
        return new FioArgs(run, global, all);
    }

    /** A job's options: the global ones, overridden by its own. */
    Map<String, String> merged(Map<String, String> job) {
        Map<String, String> m = new LinkedHashMap<>(global);
        m.putAll(job);
        return m;
    }

    /** {@code readwrite} is an alias of {@code rw}; the merged map always uses {@code rw}. */
    private static String canonical(FioOption option) {
        return option.name().equals("readwrite") ? "rw" : option.name();
    }

    private static String valueOf(FioOption option, String value, String given) {
        if (value == null) {
            if (!option.bool()) {
                throw new IllegalArgumentException(given + " needs a value: " + given + "=VALUE");
            }
            return "1";
        }
        return value.trim();
    }

    /**
     * An INI job file: {@code [global]} options go to the global map, every other section is a job named after it.
     * Global options are applied in the order given, so a command-line option after the file name overrides the
     * file's {@code [global]}; the file's jobs run before the command line's {@code --name} jobs.
     */
    private static void readJobFile(Path file, Map<String, String> run, Map<String, String> global,
                                    List<Map<String, String>> jobs, Set<String> unknown) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read job file " + file + ": " + e, e);
        }
        Map<String, String> section = null;
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip();
                if (name.equals("global")) {
                    section = global;
                } else {
                    section = new LinkedHashMap<>();
                    section.put("name", name);
                    jobs.add(section);
                }
                continue;
            }
            if (section == null) {
                throw new IllegalArgumentException(file + ":" + lineNo + ": option outside a section: " + line);
            }
            int eq = line.indexOf('=');
            String name = (eq < 0 ? line : line.substring(0, eq)).strip();
            FioOption option = FioOption.find(name);
            if (option == null || option.name().equals("name")) {
                unknown.add(name + " (" + file + ":" + lineNo + ")");
                continue;
            }
            String value = valueOf(option, eq < 0 ? null : line.substring(eq + 1), file + ":" + lineNo + ": " + name);
            if (option.run()) {
                run.put(option.name(), value);
            } else {
                section.put(canonical(option), value);
            }
        }
    }
}
