package org.example.jiomap.casefold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.DirEntry;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import io.jiomap.testkit.JiomapRig;
import io.jiomap.testkit.JiomapTest;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** Every namespace operation reaches the wrapped filesystem, with the name folded; data goes through untouched. */
class CasefoldNamespaceTest {
    private static final int BLOCK = 4096;

    // tag::casefold-jiomap-test[]
    @JiomapTest(fs = "casefold:over=ext4-like", devices = "memory")
    void aFileWrittenUnderOneSpellingReadsBackUnderAnotherAfterARemount(JiomapRig rig) throws Exception {
        rig.mount().mkdir("/Docs");
        OpenFile file = rig.file("/DOCS/Report.TXT", OpenFile.CREATE);
        MemorySegment buffer = rig.buffer(BLOCK).fill((byte) 0x3c);
        assertThat(file.pwrite(buffer, 0, BLOCK, 0)).isEqualTo(BLOCK);

        MemorySegment back = rig.buffer(BLOCK);
        assertThat(rig.remount().open("/docs/report.txt", 0).pread(back, 0, BLOCK, 0)).isEqualTo(BLOCK);
        assertThat(back.mismatch(buffer)).as("first differing byte").isEqualTo(-1);
    }
    // end::casefold-jiomap-test[]

    @JiomapTest(fs = "casefold:over=ext4-like", devices = "memory")
    void mkdirRenameUnlinkAndRmdirReachTheWrappedFilesystemUnderAnySpelling(JiomapRig rig) throws Exception {
        Mount fs = rig.mount();
        fs.mkdir("/Photos");
        rig.file("/photos/IMG_1.jpg", OpenFile.CREATE);

        assertThat(names(fs, "/PHOTOS")).containsExactly("img_1.jpg");
        assertThat(names(fs, "/")).contains("photos");
        assertThat(fs.stat("/Photos/Img_1.JPG").size()).isZero();

        fs.rename("/PHOTOS/img_1.JPG", "/Photos/Holiday.jpg");
        assertThat(names(fs, "/photos")).containsExactly("holiday.jpg");

        fs.unlink("/photos/HOLIDAY.JPG");
        assertThat(names(fs, "/photos")).isEmpty();
        fs.rmdir("/PhOtOs");
        assertThat(names(fs, "/")).doesNotContain("photos");
    }

    @JiomapTest(fs = "casefold:over=ext4-like", devices = "memory")
    void twoSpellingsOfOneNameAreOneFile(JiomapRig rig) throws Exception {
        Mount fs = rig.mount();
        rig.file("/Data", OpenFile.CREATE);

        assertThatThrownBy(() -> fs.open("/DATA", OpenFile.CREATE | OpenFile.EXCLUSIVE))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        assertThatThrownBy(() -> fs.mkdir("/data"))
                .isInstanceOfSatisfying(JiomapException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
    }

    @JiomapTest(fs = "casefold:over=raw", devices = "memory")
    void overAFilesystemWithAFlatNamespaceTheWrappedTypesRefusalComesThrough(JiomapRig rig) {
        assertThatThrownBy(() -> rig.mount().unlink("/Dev"))
                .isInstanceOfSatisfying(JiomapException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.EPERM);
                    assertThat(e.getMessage()).as("raw's own refusal, for the folded name").contains("unlink dev");
                });
    }

    private static List<String> names(Mount fs, String dir) throws JiomapException {
        return fs.readdir(dir).stream().map(DirEntry::name).toList();
    }
}
