package io.jiomap.crash.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class SectorPayloadTest {
    @Test
    void aPayloadNamesItsFileOffsetAndWrite() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(1024);
            long value = SectorPayload.value(3, 8192, 17);
            SectorPayload.fill(s, 512, value);

            long decoded = SectorPayload.decode(s, 512);
            assertThat(decoded).isEqualTo(value);
            assertThat(SectorPayload.fileId(decoded)).isEqualTo(3);
            assertThat(SectorPayload.fileOffset(decoded)).isEqualTo(8192);
            assertThat(SectorPayload.writeSeq(decoded)).isEqualTo(17);
            assertThat(SectorPayload.describe(decoded)).isEqualTo("write #17 of file #3 at 8192");
            assertThat(SectorPayload.decode(s, 0)).isEqualTo(SectorPayload.ZERO);
        }
    }

    @Test
    void aPayloadWithOneFlippedByteIsGarbage() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(512);
            SectorPayload.fill(s, 0, SectorPayload.value(1, 0, 1));
            s.set(ValueLayout.JAVA_BYTE, 300, (byte) (s.get(ValueLayout.JAVA_BYTE, 300) ^ 1));

            assertThat(SectorPayload.decode(s, 0)).isEqualTo(SectorPayload.GARBAGE);
        }
    }

    @Test
    void theSameWriteAtAnotherOffsetHasOtherContent() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(512);
            MemorySegment b = arena.allocate(512);
            SectorPayload.fill(a, 0, SectorPayload.value(1, 0, 5));
            SectorPayload.fill(b, 0, SectorPayload.value(1, 512, 5));

            assertThat(a.mismatch(b)).isNotNegative();
        }
    }
}
