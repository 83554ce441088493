package io.jiomap.fs.faulty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * EXTENDING.md cannot drift from the code: every code block in it is preceded by
 * {@code <!-- include: PATH#TAG -->} and must be, character for character, the region between
 * {@code tag::TAG[]} and {@code end::TAG[]} in that file of the repository (indentation common to the region
 * removed), or the whole file without {@code #TAG}. Only console blocks (shell commands) may stand alone.
 */
class GuideFragmentsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern INCLUDE = Pattern.compile("<!-- include: ([^#\\s]+)(?:#(\\S+))? -->");
    private static final Pattern FENCE = Pattern.compile("^```(\\S*)$");

    /** One code block of the guide and the include comment before it, if any. */
    private record Block(int line, String language, String include, String tag, String code) {
    }

    private static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        String include = null;
        String tag = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher inc = INCLUDE.matcher(lines.get(i).trim());
            Matcher fence = FENCE.matcher(lines.get(i));
            if (inc.matches()) {
                include = inc.group(1);
                tag = inc.group(2);
            } else if (fence.matches()) {
                int start = i;
                StringBuilder code = new StringBuilder();
                for (i++; !lines.get(i).equals("```"); i++) {
                    code.append(lines.get(i)).append('\n');
                }
                blocks.add(new Block(start + 1, fence.group(1), include, tag, code.toString()));
                include = null;
                tag = null;
            } else if (!lines.get(i).isBlank()) {
                include = null;
                tag = null;
            }
        }
        return blocks;
    }

    /** The tagged region of {@code file}, without the tag lines and without the indentation its lines share. */
    private static String region(String file, String tag) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(file));
        if (tag == null) {
            return String.join("\n", lines) + "\n";
        }
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("tag::" + tag + "[]")) {
                assertThat(start).as("tag %s appears once in %s", tag, file).isEqualTo(-1);
                start = i;
            } else if (lines.get(i).contains("end::" + tag + "[]")) {
                end = i;
            }
        }
        assertThat(start).as("tag::%s[] in %s", tag, file).isNotNegative();
        assertThat(end).as("end::%s[] after its tag in %s", tag, file).isGreaterThan(start);
        List<String> body = lines.subList(start + 1, end);
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String l : body) {
            out.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return out.toString();
    }

    @Test
    void everyCodeBlockOfTheGuideIsItsTaggedRegionOfCompiledAndTestedCode() throws IOException {
        List<Block> blocks = blocks(Files.readAllLines(ROOT.resolve("EXTENDING.md")));
        int included = 0;
        for (Block b : blocks) {
            if (b.language().equals("console")) {
                continue;
            }
            assertThat(b.include()).as("EXTENDING.md line %d: a %s block without an include comment", b.line(),
                    b.language()).isNotNull();
            assertThat(b.code()).as("EXTENDING.md line %d is %s#%s", b.line(), b.include(), b.tag())
                    .isEqualTo(region(b.include(), b.tag()));
            included++;
        }
        assertThat(included).as("fragments checked").isGreaterThanOrEqualTo(12);
    }
}
