package io.jiomap.crash.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the oracle allows at a crash point, for each persistence rule (docs/crash-consistency.md, "Durability"). */
class CrashExpectationTest {
    private final Model model = new Model();

    private long write(int op, String path, long offset, long length) {
        int seq = model.nextWriteSeq();
        model.write(op, path, offset, length, seq);
        return model.payload(path, offset, seq);
    }

    @Test
    void fdatasyncMakesTheDataRequiredAndALaterWriteOptional() {
        int f = model.create(0, "/a", 0);
        long first = write(1, "/a", 0, 4096);
        model.fileDurable(2, "/a", true, "op #2 fdatasync /a");
        long second = write(3, "/a", 0, 4096);

        CrashExpectation atMark = model.at(2, 2);
        assertThat(atMark.check(f, 0, first)).isNull();
        assertThat(atMark.check(f, 0, SectorPayload.ZERO).kind()).isEqualTo("acknowledged data lost, found zeros");
        assertThat(atMark.check(f, 0, second)).as("write #2 had not started").isNotNull();

        CrashExpectation during = model.at(2, 3);
        assertThat(during.check(f, 0, first)).isNull();
        assertThat(during.check(f, 0, second)).isNull();
        assertThat(during.check(f, 0, SectorPayload.ZERO)).isNotNull();
        assertThat(during.minSize(f)).isEqualTo(4096);
    }

    @Test
    void withoutAPersistencePointAnyValueTheSectorHadIsAllowedButNoOther() {
        int a = model.create(0, "/a", 0);
        int b = model.create(1, "/b", 0);
        long old = write(2, "/a", 0, 4096);
        long newer = write(3, "/a", 0, 4096);
        long other = write(4, "/b", 0, 4096);

        CrashExpectation e = model.at(-1, 4);
        assertThat(e.check(a, 0, SectorPayload.ZERO)).isNull();
        assertThat(e.check(a, 0, old)).isNull();
        assertThat(e.check(a, 0, newer)).isNull();
        assertThat(e.check(a, 0, other).kind()).startsWith("another file's data");
        assertThat(e.check(a, 0, SectorPayload.value(a, 4096, 2)).kind()).startsWith("data of another offset");
        assertThat(e.check(a, 0, SectorPayload.GARBAGE).kind()).startsWith("garbage");
        assertThat(e.check(b, 0, other)).isNull();
    }

    @Test
    void aDsyncWriteMakesOnlyItsRangeDurable() {
        int f = model.create(0, "/a", 0);
        long plain = write(1, "/a", 0, 4096);
        long dsync = write(2, "/a", 4096, 4096);
        model.rangeDurable(2, "/a", 4096, 4096, "op #2 dsync-write");

        CrashExpectation e = model.at(2, 2);
        assertThat(e.check(f, 0, SectorPayload.ZERO)).isNull();
        assertThat(e.check(f, 0, plain)).isNull();
        assertThat(e.check(f, 8, SectorPayload.ZERO)).isNotNull();
        assertThat(e.check(f, 8, dsync)).isNull();
        assertThat(e.minSize(f)).isEqualTo(8192);
    }

    @Test
    void aTruncateAfterFsyncMayOrMayNotHaveHappened() {
        int f = model.create(0, "/a", 0);
        long data = write(1, "/a", 0, 65536);
        model.fileDurable(2, "/a", false, "op #2 fsync /a");
        model.truncate(3, "/a", 8192);

        CrashExpectation e = model.at(2, 3);
        assertThat(e.minSize(f)).isEqualTo(8192);
        assertThat(e.maxSize(f)).isEqualTo(65536);
        assertThat(e.check(f, 100, SectorPayload.ZERO)).isNull();
        assertThat(e.check(f, 100, SectorPayload.value(f, 100 * 512, SectorPayload.writeSeq(data)))).isNull();

        model.fileDurable(4, "/a", false, "op #4 fsync /a");
        CrashExpectation after = model.at(4, 4);
        assertThat(after.minSize(f)).isEqualTo(8192);
        assertThat(after.maxSize(f)).isEqualTo(8192);
    }

    @Test
    void aNameIsRequiredOnlyAfterSyncAndARenameKeepsBothNamesPossible() {
        int f = model.create(0, "/a", 0);
        assertThat(model.at(-1, 0).mustExist(f)).isNull();

        model.allDurable(1, "op #1 sync");
        model.rename(2, "/a", "/b");

        CrashExpectation e = model.at(1, 2);
        assertThat(e.mustExist(f)).contains("/a").contains("op #1 sync");
        assertThat(e.namesOf(f)).containsExactly("/a", "/b");
        assertThat(e.candidates("/b")).containsExactly(f);

        model.unlink(3, "/b");
        assertThat(model.at(1, 3).mustExist(f)).as("an unlink had started").isNull();
        model.allDurable(4, "op #4 sync");
        assertThat(model.at(4, 4).candidates("/a")).isEmpty();
        assertThat(model.at(4, 4).candidates("/b")).isEmpty();
    }

    @Test
    void aRenameOverAFileMayLeaveEitherAtTheTarget() {
        int a = model.create(0, "/a", 0);
        int b = model.create(1, "/b", 0);
        model.allDurable(2, "op #2 sync");
        model.rename(3, "/a", "/b");

        CrashExpectation e = model.at(2, 3);
        assertThat(e.candidates("/b")).containsExactly(a, b);
        assertThat(e.mustExist(b)).isNull();
        assertThat(e.mustExist(a)).isNotNull();
    }

    @Test
    void aCloneGivesTheTargetTheSourcesPayloads() {
        int a = model.create(0, "/a", 0);
        int b = model.create(1, "/b", 0);
        long data = write(2, "/a", 0, 4096);
        model.cloneRange(3, "/a", 0, "/b", 4096, 4096);
        model.fileDurable(4, "/b", false, "op #4 fsync /b");

        CrashExpectation e = model.at(4, 4);
        assertThat(e.check(b, 8, data)).isNull();
        assertThat(e.check(b, 8, SectorPayload.ZERO)).isNotNull();
        assertThat(e.minSize(b)).isEqualTo(8192);
        assertThat(e.check(a, 0, data)).isNull();
    }
}
