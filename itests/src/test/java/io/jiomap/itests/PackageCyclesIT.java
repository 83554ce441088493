package io.jiomap.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.constantpool.ClassEntry;
import java.lang.classfile.constantpool.PoolEntry;
import java.lang.classfile.constantpool.Utf8Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No module's packages depend on each other in a cycle: for every module of the build, the classes each package
 * refers to (their constant pools' class entries, descriptors and signatures, as jdeps reads them) give the package graph, and it must have no strongly
 * connected component larger than one package. Runs after every module is compiled, so it sees them all.
 */
class PackageCyclesIT {
    private static final Pattern TYPE_IN_DESCRIPTOR = Pattern.compile("L([A-Za-z_$][\\w$]*(?:/[A-Za-z_$][\\w$]*)+)[;<]");
    private static final Path ROOT = Path.of(System.getProperty("jiomap.root", "..")).toAbsolutePath().normalize();

    @Test
    void noModuleHasAPackageCycle() throws IOException {
        List<Path> modules;
        try (Stream<Path> s = Files.find(ROOT, 4, (p, a) -> p.endsWith(Path.of("target", "classes")) && a.isDirectory())) {
            modules = s.filter(p -> !p.toString().contains("/.")).sorted().toList();
        }
        assertThat(modules).as("compiled modules under %s", ROOT).hasSizeGreaterThan(15);
        Map<String, List<Set<String>>> cycles = new TreeMap<>();
        for (Path classes : modules) {
            List<Set<String>> found = cycles(packageGraph(classes));
            if (!found.isEmpty()) {
                cycles.put(ROOT.relativize(classes.getParent().getParent()).toString(), found);
            }
        }
        assertThat(cycles).as("package cycles per module").isEmpty();
    }

    /** Package to the packages of the same module its classes refer to. */
    private static Map<String, Set<String>> packageGraph(Path classes) throws IOException {
        Map<String, Set<String>> graph = new HashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(p -> p.toString().endsWith(".class") && !p.endsWith("module-info.class")
                    && !p.endsWith("package-info.class")).toList();
        }
        Set<String> own = new TreeSet<>();
        Map<String, Set<String>> refs = new HashMap<>();
        for (Path f : files) {
            ClassModel model = parse(f);
            String pkg = packageOf(model.thisClass().asInternalName());
            own.add(pkg);
            Set<String> to = refs.computeIfAbsent(pkg, k -> new TreeSet<>());
            for (PoolEntry e : model.constantPool()) {
                if (e instanceof ClassEntry c) {
                    String name = c.asInternalName();
                    if (!name.startsWith("[")) {
                        to.add(packageOf(name));
                    }
                } else if (e instanceof Utf8Entry u) {
                    // Descriptors and generic signatures name types that no class entry does (a parameter type).
                    Matcher m = TYPE_IN_DESCRIPTOR.matcher(u.stringValue());
                    while (m.find()) {
                        to.add(packageOf(m.group(1)));
                    }
                }
            }
        }
        for (var e : refs.entrySet()) {
            Set<String> to = new TreeSet<>(e.getValue());
            to.retainAll(own);
            to.remove(e.getKey());
            graph.put(e.getKey(), to);
        }
        return graph;
    }

    private static ClassModel parse(Path f) {
        try {
            return ClassFile.of().parse(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    /** The strongly connected components of more than one package (Tarjan's algorithm, iteratively). */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String start : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(start)) {
                strongConnect(start, graph, index, low, stack, onStack, out, next);
            }
        }
        return out;
    }

    private static void strongConnect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                      Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                      List<Set<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                strongConnect(w, graph, index, low, stack, onStack, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }
}
