package io.jiomap.fs.faulty;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.JiomapException;
import io.jiomap.core.OpenFile;
import io.jiomap.testkit.JiomapRig;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Writes blocks of one byte value and checks what reads back. */
final class Data {
    static final int BLOCK = 4096;

    private Data() {
    }

    static long write(JiomapRig rig, OpenFile file, int value, long position) throws JiomapException {
        return file.pwrite(rig.buffer(BLOCK).fill((byte) value), 0, BLOCK, position);
    }

    static void assertHolds(JiomapRig rig, OpenFile file, long position, int value) throws JiomapException {
        MemorySegment read = rig.buffer(BLOCK);
        assertThat(file.pread(read, 0, BLOCK, position)).isEqualTo(BLOCK);
        for (int i = 0; i < BLOCK; i++) {
            assertThat(Byte.toUnsignedInt(read.get(ValueLayout.JAVA_BYTE, i)))
                    .as("byte %d of the block at %d", i, position).isEqualTo(value);
        }
    }
}
