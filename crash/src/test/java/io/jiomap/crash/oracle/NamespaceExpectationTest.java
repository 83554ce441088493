package io.jiomap.crash.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the oracle allows of names, links and attributes at a crash point: each namespace op since the last sync whole
 * or not at all, attributes old or new until an fsync or sync covers them.
 */
class NamespaceExpectationTest {
    private final Model model = new Model();

    @Test
    void aRenameLeavesBothNamesChangedOrNeither() {
        int a = model.create(0, "/a", 0);
        model.allDurable(1, "op #1 sync");
        model.rename(2, "/a", "/b");

        CrashExpectation e = model.at(1, 2);
        assertThat(e.reachable(Map.of("/a", a))).isTrue();
        assertThat(e.reachable(Map.of("/b", a))).isTrue();
        assertThat(e.reachable(Map.of("/a", a, "/b", a))).as("both names").isFalse();
        assertThat(e.reachable(Map.of())).as("neither name").isFalse();
        assertThat(e.maxNames(a)).isEqualTo(1);

        model.allDurable(3, "op #3 sync");
        assertThat(model.at(3, 3).reachable(Map.of("/a", a))).as("the rename was made durable").isFalse();
        assertThat(model.at(3, 3).reachable(Map.of("/b", a))).isTrue();
    }

    @Test
    void anExchangeSwapsBothNamesOrNeither() {
        int a = model.create(0, "/a", 0);
        int b = model.create(1, "/b", 0);
        model.allDurable(2, "op #2 sync");
        model.exchange(3, "/a", "/b");

        CrashExpectation e = model.at(2, 3);
        assertThat(e.reachable(Map.of("/a", a, "/b", b))).isTrue();
        assertThat(e.reachable(Map.of("/a", b, "/b", a))).isTrue();
        assertThat(e.reachable(Map.of("/a", a, "/b", a))).isFalse();
        assertThat(e.reachable(Map.of("/a", b))).isFalse();
        assertThat(e.mustExist(a)).isNotNull();
        assertThat(e.mustExist(b)).isNotNull();
    }

    @Test
    void anExchangeOfNamesNotYetDurableIsStillAllOrNothing() {
        int a = model.create(0, "/a", 0);
        int b = model.create(1, "/b", 0);
        model.exchange(2, "/a", "/b");

        CrashExpectation e = model.at(-1, 2);
        assertThat(e.reachable(Map.of())).isTrue();
        assertThat(e.reachable(Map.of("/a", a))).as("only the first create").isTrue();
        assertThat(e.reachable(Map.of("/a", b, "/b", a))).isTrue();
        assertThat(e.reachable(Map.of("/b", a))).as("a half exchange").isFalse();
    }

    @Test
    void aLinkIsThereOrNotAndTheFileKeepsItsDurableName() {
        int a = model.create(0, "/a", 0);
        model.allDurable(1, "op #1 sync");
        model.link(2, "/a", "/b");
        assertThat(model.links("/a")).isEqualTo(2);

        CrashExpectation e = model.at(1, 2);
        assertThat(e.reachable(Map.of("/a", a))).isTrue();
        assertThat(e.reachable(Map.of("/a", a, "/b", a))).isTrue();
        assertThat(e.reachable(Map.of("/b", a))).as("the durable name lost").isFalse();
        assertThat(e.maxNames(a)).isEqualTo(2);

        model.unlink(3, "/a");
        assertThat(model.links("/b")).isEqualTo(1);
        assertThat(model.at(1, 3).mustExist(a)).as("it keeps a name throughout").isNotNull();
        assertThat(model.at(1, 3).reachable(Map.of("/b", a))).isTrue();
    }

    @Test
    void aRenameBetweenTwoNamesOfOneFileChangesNothing() {
        int a = model.create(0, "/a", 0);
        model.link(1, "/a", "/b");
        model.rename(2, "/a", "/b");

        assertThat(model.names()).containsExactly("/a", "/b");
        assertThat(model.at(-1, 2).namespaceOpsSinceSync()).containsExactly(0, 1);
        assertThat(model.fileId("/b")).isEqualTo(a);
    }

    @Test
    void aSymbolicLinkIsItsOwnFileWithItsTarget() {
        model.create(0, "/a", 0);
        int s = model.symlink(1, "/s", "a", 0, 0);

        CrashExpectation e = model.at(-1, 1);
        assertThat(e.target(s)).isEqualTo("a");
        assertThat(e.candidates("/s")).containsExactly(s);
        assertThat(model.paths()).containsExactly("/a");
        assertThat(model.names()).containsExactly("/a", "/s");
    }

    @Test
    void aChmodIsOldOrNewUntilAnFsyncAndNewAfterIt() {
        int a = model.create(0, "/a", 0, 0644, 0, 0);
        model.chmod(1, "/a", 0600);

        CrashExpectation before = model.at(-1, 1);
        assertThat(before.checkAttribute(a, Attribute.MODE, 0644)).isNull();
        assertThat(before.checkAttribute(a, Attribute.MODE, 0600)).isNull();
        assertThat(before.checkAttribute(a, Attribute.MODE, 0777)).contains("never a value it had");

        model.fileDurable(2, "/a", true, "op #2 fdatasync /a");
        assertThat(model.at(2, 2).checkAttribute(a, Attribute.MODE, 0644)).as("fdatasync leaves attributes").isNull();

        model.fileDurable(3, "/a", false, "op #3 fsync /a");
        assertThat(model.at(3, 3).checkAttribute(a, Attribute.MODE, 0600)).isNull();
        assertThat(model.at(3, 3).checkAttribute(a, Attribute.MODE, 0644))
                .isEqualTo("mode 0644, but op #3 fsync /a made it 0600");
    }

    @Test
    void aChownClearsSetUserIdAndGroupExecutableSetGroupId() {
        model.create(0, "/a", 0, 0644, 0, 0);
        model.chmod(1, "/a", 06751);
        model.chown(2, "/a", 1000, 100);
        assertThat(model.attribute("/a", Attribute.MODE)).isEqualTo(0751L);
        assertThat(model.attribute("/a", Attribute.UID)).isEqualTo(1000L);

        model.chmod(3, "/a", 06741);
        model.chown(4, "/a", 0, 0);
        assertThat(model.attribute("/a", Attribute.MODE)).as("not group-executable: set-group-ID stays")
                .isEqualTo(02741L);
    }

    @Test
    void explicitTimesAreCheckedUntilAWriteOrReadChangesThemLazily() {
        int a = model.create(0, "/a", 0, 0644, 0, 0);
        assertThat(model.at(-1, 0).checkAttribute(a, Attribute.MTIME, 12345)).as("a time never set").isNull();

        model.utimens(1, "/a", 4_102_444_800_000_000_000L, 1_000_000_000_000_000_001L);
        model.allDurable(2, "op #2 sync");
        CrashExpectation synced = model.at(2, 2);
        assertThat(synced.checkAttribute(a, Attribute.MTIME, 1_000_000_000_000_000_001L)).isNull();
        assertThat(synced.checkAttribute(a, Attribute.MTIME, 7)).contains("op #2 sync made it 2001-09-09");

        model.write(3, "/a", 0, 4096, model.nextWriteSeq());
        CrashExpectation written = model.at(2, 3);
        assertThat(written.checkAttribute(a, Attribute.MTIME, 7)).as("lazytime after a write").isNull();
        assertThat(written.checkAttribute(a, Attribute.ATIME, 7)).isNotNull();

        model.read(4, "/a");
        assertThat(model.at(2, 4).checkAttribute(a, Attribute.ATIME, 7)).as("relatime after a read").isNull();
    }
}
