package io.jiomap.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every citation of the design documents in the repository resolves: the form is described in docs/README.md, a
 * citation names a document under docs/ and the labels of its headings. Also: the test vectors name TCK tests that
 * exist, links between the documents land on headings, and no file cites a document outside the repository or uses
 * a citation form that names no document.
 */
class CitationsResolveTest {
    /** Text files that may cite the documents. */
    private static final Set<String> SOURCE_EXTENSIONS = Set.of("java", "md", "xml", "bnd", "properties", "txt", "sh");
    /** A citation: the document, then zero or more quoted labels (a comment may wrap between them). */
    private static final Pattern CITATION = Pattern.compile(
            "docs/([A-Za-z0-9_-]+\\.md)((?:\\s*,\\s*(?:\\*\\s*|//\\s*)?\\\\?\"[^\"\\\\\\n]+\\\\?\")*)");
    private static final Pattern LABEL = Pattern.compile("\"([^\"\\\\\\n]+)\\\\?\"");
    /** A link between the documents, to a heading of the same or another document. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([A-Za-z0-9_-]+\\.md)?#([^)\\s]+)\\)");
    /** A backticked Java method name in dio-contract.md: a test that proves a vector or a row. */
    private static final Pattern TEST_NAME = Pattern.compile("`([a-z][A-Za-z0-9_]{15,})`");
    private static final Pattern TEST_METHOD = Pattern.compile("void ([a-z][A-Za-z0-9_]*)\\(");

    /** Citation forms that name no document of the repository, each with what to write instead. */
    private static final Map<Pattern, String> FORBIDDEN = Map.of(
            Pattern.compile("fs-design-notes|kernel-dio-semantics|ANCHORS\\.md|style-anchors|ecosystem-notes"
                    + "|mount-and-nbd-notes|shared/spec|\\.\\./shared|/work/shared"),
            "a document outside the repository: cite docs/ instead",
            Pattern.compile("(?i)\\bspec(?:'s\\b|\\s+(?:B\\d|TV|test vectors?|flows|\\(|section|decision|row|\"))"
                    + "|\\bthe spec (?:asks|requires|describes|gives|says)\\b|\\bof the spec\\b"),
            "'spec' names no document: cite docs/dio-contract.md with a label",
            Pattern.compile("(?i)\\bdesign rules? \\d"),
            "cite (docs/design-rules.md, \"Rule N\")",
            Pattern.compile("(?i)\\bdecision[- ]table rows?\\b|\\brows? \\d+b? of the decision table|\\(c\\) rows?"
                    + "|\\bsection \\([a-f]\\)"),
            "cite (docs/dio-contract.md, \"Row N\") or the heading meant");
    /** Outside docs/, a test vector is only ever named through a citation label. */
    private static final Pattern BARE_VECTOR = Pattern.compile("(?<![\"\\w/#-])TV\\d+");

    private static Path root;
    private static final Map<String, Map<String, String>> LABELS = new HashMap<>();
    private static final Map<String, Set<String>> ANCHORS = new HashMap<>();

    @BeforeAll
    static void findRepositoryAndDocuments() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.isDirectory(dir.resolve("tck")) && Files.isRegularFile(dir.resolve("pom.xml")))) {
            dir = dir.getParent();
        }
        Assumptions.assumeTrue(dir != null, "not run inside the jiomap source tree: there are no sources to scan");
        root = dir;
        Path docs = root.resolve("docs");
        assertThat(docs.resolve("README.md")).as("the design documents' index, docs/README.md").isRegularFile();
        try (Stream<Path> files = Files.list(docs)) {
            for (Path doc : files.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                readHeadings(doc);
            }
        }
    }

    private static void readHeadings(Path doc) throws IOException {
        Map<String, String> labels = new HashMap<>();
        Set<String> anchors = new HashSet<>();
        boolean fence = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.startsWith("```")) {
                fence = !fence;
            }
            if (fence || !line.matches("#{1,6} .*")) {
                continue;
            }
            String text = line.replaceFirst("#+ ", "").strip();
            int colon = text.indexOf(": ");
            String label = colon < 0 ? text : text.substring(0, colon);
            String previous = labels.put(label, text);
            assertThat(previous).as("%s: the label '%s' of heading '%s' is also that of '%s'; labels must be unique",
                    doc.getFileName(), label, text, previous).isNull();
            anchors.add(slug(text));
        }
        LABELS.put(doc.getFileName().toString(), labels);
        ANCHORS.put(doc.getFileName().toString(), anchors);
    }

    /** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
    private static String slug(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    private static List<Path> sources() {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> {
                        Path rel = root.relativize(p);
                        for (Path part : rel) {
                            String s = part.toString();
                            if (s.equals("target") || s.startsWith(".") || s.equals("node_modules")) {
                                return false;
                            }
                        }
                        String name = p.getFileName().toString();
                        int dot = name.lastIndexOf('.');
                        return dot > 0 && SOURCE_EXTENSIONS.contains(name.substring(dot + 1))
                                && !name.equals("CitationsResolveTest.java");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(p.toString(), e);
        }
    }

    private static String where(Path file, String text, int at) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return root.relativize(file) + ":" + line;
    }

    @Test
    void everyCitationNamesADocumentAndHeadingsThatExist() {
        List<String> problems = new ArrayList<>();
        int citations = 0;
        for (Path file : sources()) {
            String text = read(file);
            Matcher m = CITATION.matcher(text);
            while (m.find()) {
                citations++;
                Map<String, String> labels = LABELS.get(m.group(1));
                if (labels == null) {
                    problems.add(where(file, text, m.start()) + ": docs/" + m.group(1) + " does not exist");
                    continue;
                }
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    if (!labels.containsKey(l.group(1))) {
                        problems.add(where(file, text, m.start()) + ": docs/" + m.group(1) + " has no heading labelled '"
                                + l.group(1) + "'");
                    }
                }
            }
        }
        assertThat(problems).as("citations that do not resolve").isEmpty();
        assertThat(citations).as("citations found: the scan must see the sources").isGreaterThan(50);
    }

    @Test
    void noFileCitesADocumentOutsideTheRepositoryOrUsesAFormWithoutADocument() {
        List<String> problems = new ArrayList<>();
        for (Path file : sources()) {
            String text = read(file);
            for (Map.Entry<Pattern, String> f : FORBIDDEN.entrySet()) {
                Matcher m = f.getKey().matcher(text);
                while (m.find()) {
                    problems.add(where(file, text, m.start()) + ": '" + m.group() + "': " + f.getValue());
                }
            }
            if (!root.relativize(file).startsWith("docs")) {
                Matcher m = BARE_VECTOR.matcher(text);
                while (m.find()) {
                    problems.add(where(file, text, m.start()) + ": '" + m.group()
                            + "' names no document: cite (docs/dio-contract.md, \"" + m.group() + "\")");
                }
            }
        }
        assertThat(problems).as("citations of documents that are not in the repository").isEmpty();
    }

    @Test
    void linksBetweenTheDocumentsLandOnHeadings() {
        List<String> problems = new ArrayList<>();
        for (Path file : sources()) {
            if (!root.relativize(file).startsWith("docs")) {
                continue;
            }
            String text = read(file);
            Matcher m = LINK.matcher(text);
            while (m.find()) {
                String doc = m.group(1) == null ? file.getFileName().toString() : m.group(1);
                Set<String> anchors = ANCHORS.get(doc);
                if (anchors == null || !anchors.contains(m.group(2))) {
                    problems.add(where(file, text, m.start()) + ": no heading of " + doc + " has the anchor #"
                            + m.group(2));
                }
            }
        }
        assertThat(problems).as("links to headings that do not exist").isEmpty();
    }

    @Test
    void everyTestNamedInTheContractExists() throws IOException {
        Set<String> methods = new HashSet<>();
        for (String module : List.of("tck/src/main/java", "core/src/test/java")) {
            try (Stream<Path> walk = Files.walk(root.resolve(module))) {
                for (Path p : walk.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = TEST_METHOD.matcher(read(p));
                    while (m.find()) {
                        methods.add(m.group(1));
                    }
                }
            }
        }
        String contract = read(root.resolve("docs/dio-contract.md"));
        List<String> missing = new ArrayList<>();
        int named = 0;
        Matcher m = TEST_NAME.matcher(contract);
        while (m.find()) {
            named++;
            if (!methods.contains(m.group(1))) {
                missing.add(m.group(1));
            }
        }
        assertThat(missing).as("tests docs/dio-contract.md names as proof that the TCK does not have").isEmpty();
        assertThat(named).as("tests named in docs/dio-contract.md").isGreaterThan(35);
    }
}
