package io.jiomap.core.vfs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.vfs.Inode;
import org.junit.jupiter.api.Test;

class FallocateRulesTest {
    private static void refused(int mode, long offset, long length, int errno, String says) {
        assertThatThrownBy(() -> FallocateRules.check(mode, offset, length, "fallocate /f"))
                .isInstanceOfSatisfying(JiomapException.class, e -> org.assertj.core.api.Assertions
                        .assertThat(e.errno()).isEqualTo(errno))
                .hasMessageContaining(says);
    }

    @Test
    void everySingleOperationWithTheKeepSizeItAllowsPasses() {
        int[] modes = {0, Inode.FALLOC_KEEP_SIZE, Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_KEEP_SIZE,
                Inode.FALLOC_ZERO_RANGE, Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE,
                Inode.FALLOC_COLLAPSE_RANGE, Inode.FALLOC_INSERT_RANGE, Inode.FALLOC_UNSHARE_RANGE,
                Inode.FALLOC_UNSHARE_RANGE | Inode.FALLOC_KEEP_SIZE};
        for (int mode : modes) {
            assertThatCode(() -> FallocateRules.check(mode, 0, 4096, "fallocate /f")).doesNotThrowAnyException();
        }
    }

    @Test
    void unknownModeBitsAreEopnotsuppNamingThem() {
        refused(0x100, 0, 4096, Errno.EOPNOTSUPP, "0x100");
    }

    @Test
    void aPunchThatWouldChangeTheSizeIsEopnotsupp() {
        refused(Inode.FALLOC_PUNCH_HOLE, 0, 4096, Errno.EOPNOTSUPP, "KEEP_SIZE");
    }

    @Test
    void twoOperationsAtOnceAreEinval() {
        refused(Inode.FALLOC_PUNCH_HOLE | Inode.FALLOC_ZERO_RANGE | Inode.FALLOC_KEEP_SIZE, 0, 4096, Errno.EINVAL,
                "more than one");
        refused(Inode.FALLOC_COLLAPSE_RANGE | Inode.FALLOC_INSERT_RANGE, 0, 4096, Errno.EINVAL, "more than one");
    }

    @Test
    void collapseOrInsertWithKeepSizeIsEinval() {
        refused(Inode.FALLOC_COLLAPSE_RANGE | Inode.FALLOC_KEEP_SIZE, 0, 4096, Errno.EINVAL, "KEEP_SIZE");
        refused(Inode.FALLOC_INSERT_RANGE | Inode.FALLOC_KEEP_SIZE, 0, 4096, Errno.EINVAL, "KEEP_SIZE");
    }

    @Test
    void aNegativeOffsetOrAnEmptyRangeIsEinval() {
        refused(0, -1, 4096, Errno.EINVAL, "offset >= 0");
        refused(0, 0, 0, Errno.EINVAL, "length > 0");
    }

    @Test
    void aRangeThatOverflowsIsEfbig() {
        refused(0, Long.MAX_VALUE - 10, 4096, Errno.EFBIG, "overflows");
    }
}
