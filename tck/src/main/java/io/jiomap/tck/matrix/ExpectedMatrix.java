package io.jiomap.tck.matrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Pins which contract tests each fixture runs and which it skips, and why, so that a regression cannot turn into a
 * skip unnoticed (a device that starts refusing an option, a rule that skips on what the code under test answers).
 *
 * <p>Every contract test class (a {@code DioContractTest} or a {@code BlockDeviceContractTest}) records the outcome
 * of each of its tests: {@code ran} (passed or failed: a failure fails the build anyway), {@code skipped: <the
 * assumption's message>} or {@code disabled: <reason>}. After the class, the outcomes are compared with the lines for
 * that class in the module's committed {@value #FILE} ({@code <class> <test>: <outcome>}, sorted), and any
 * difference fails the class, listing each line that differs and how to accept the change deliberately:
 * {@code -D}{@value #PROPERTY}{@code =update} rewrites the class's lines from the run, to be reviewed and committed.
 *
 * <p>A run that selects only some tests of a class checks the outcomes of those it ran; a full run of the class
 * also checks that nothing the file lists went missing. Modes, by the system property {@value #PROPERTY}:
 * {@code require} (jiomap's own build) fails a class that has no lines in the file; unset, a module without the file
 * is not checked (a third-party plugin opts in by committing one); {@code update} writes instead of checking.
 */
public final class ExpectedMatrix implements TestWatcher, AfterAllCallback {
    /** The expected matrix, relative to the module's base directory. */
    public static final String FILE = "src/test/tck-matrix.txt";
    /** {@code require}, {@code update}, or unset. */
    public static final String PROPERTY = "jiomap.tck.matrix";
    private static final String HEADER = """
            # Which contract tests each fixture of this module runs and skips, and why (io.jiomap.tck.matrix.ExpectedMatrix).
            # A test that starts or stops skipping, or skips for another reason, fails the build. To accept a change
            # deliberately: mvn -pl <this module> -am verify -Djiomap.tck.matrix=update, then review and commit the diff.
            """;
    private static final Object FILE_LOCK = new Object();
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ExpectedMatrix.class);

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "ran");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "ran");
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        String message = cause == null || cause.getMessage() == null ? "(no reason given)" : cause.getMessage();
        record(context, "skipped: " + oneLine(message.replaceFirst("^Assumption failed: ", "")));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, "disabled: " + oneLine(reason.orElse("(no reason given)")));
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void record(ExtensionContext context, String outcome) {
        ExtensionContext classContext = context.getParent().orElseThrow();
        outcomes(classContext).put(context.getRequiredTestMethod().getName(), outcome);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> outcomes(ExtensionContext classContext) {
        return classContext.getStore(NS).getOrComputeIfAbsent("outcomes", k -> new ConcurrentHashMap<String, String>(),
                Map.class);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        String mode = System.getProperty(PROPERTY, "");
        Path file = moduleDir().resolve(FILE);
        if (mode.isEmpty() && !Files.exists(file)) {
            return;
        }
        Class<?> testClass = context.getRequiredTestClass();
        String name = testClass.getSimpleName();
        Map<String, String> actual = new TreeMap<>(outcomes(context));
        Set<String> declared = AnnotationSupport.findAnnotatedMethods(testClass, Test.class,
                HierarchyTraversalMode.TOP_DOWN).stream().map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        synchronized (FILE_LOCK) {
            Map<String, Map<String, String>> all = read(file);
            if (mode.equals("update")) {
                Map<String, String> merged = new TreeMap<>(all.getOrDefault(name, Map.of()));
                merged.keySet().retainAll(declared);
                merged.putAll(actual);
                all.put(name, merged);
                write(file, all);
                return;
            }
            List<String> differences = differences(all.get(name), actual, declared, name);
            if (!differences.isEmpty()) {
                throw new AssertionError("the contract tests of " + name + " do not run and skip as " + FILE
                        + " of " + moduleDir().getFileName() + " says:\n  " + String.join("\n  ", differences)
                        + "\nIf this change is deliberate, record it: mvn -pl <this module> -am verify -D" + PROPERTY
                        + "=update, then review and commit the diff of " + FILE + ".");
            }
        }
    }

    static List<String> differences(Map<String, String> expected, Map<String, String> actual, Set<String> declared,
                                    String name) {
        List<String> out = new ArrayList<>();
        if (expected == null) {
            out.add("no line for " + name + " at all (a new fixture?)");
            return out;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(actual).entrySet()) {
            String want = expected.get(e.getKey());
            if (want == null) {
                out.add(e.getKey() + ": " + e.getValue() + "   (not in the file)");
            } else if (!want.equals(e.getValue())) {
                out.add(e.getKey() + ": " + e.getValue() + "   (expected: " + want + ")");
            }
        }
        for (String test : new TreeSet<>(expected.keySet())) {
            if (!declared.contains(test)) {
                out.add(test + ": in the file, but the class has no such test");
            } else if (!actual.containsKey(test) && actual.keySet().containsAll(declared)) {
                out.add(test + ": expected to " + expected.get(test) + ", but it did not run at all");
            }
        }
        return out;
    }

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** Class name, then test name, to outcome. */
    static Map<String, Map<String, String>> read(Path file) throws IOException {
        Map<String, Map<String, String>> all = new TreeMap<>();
        if (!Files.exists(file)) {
            return all;
        }
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            int colon = line.indexOf(": ", space + 1);
            if (space < 0 || colon < 0) {
                throw new IllegalStateException(file + ": a line must read '<class> <test>: <outcome>', not: " + line);
            }
            all.computeIfAbsent(line.substring(0, space), k -> new TreeMap<>())
                    .put(line.substring(space + 1, colon), line.substring(colon + 2));
        }
        return all;
    }

    static void write(Path file, Map<String, Map<String, String>> all) {
        StringBuilder sb = new StringBuilder(HEADER);
        all.forEach((cls, tests) -> tests.forEach((test, outcome) ->
                sb.append(cls).append(' ').append(test).append(": ").append(outcome).append('\n')));
        try {
            Files.writeString(file, sb);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
