package io.jiomap.device.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteCacheTest {
    private final Arena arena = Arena.ofConfined();
    private final MemoryBacking media = new MemoryBacking(4 << 20);
    private final WriteCache cache = new WriteCache(media, 4 << 20, 512);

    @AfterEach
    void free() {
        cache.free();
        media.close();
        arena.close();
    }

    private MemorySegment filled(int length, int value) {
        MemorySegment s = arena.allocate(length);
        s.fill((byte) value);
        return s;
    }

    private byte[] readCache(long address, int length) throws IOException {
        MemorySegment dst = arena.allocate(length);
        cache.read(address, dst, 0, length);
        return dst.toArray(ValueLayout.JAVA_BYTE);
    }

    private byte[] readMedia(long address, int length) {
        MemorySegment dst = arena.allocate(length);
        media.read(address, dst, 0, length);
        return dst.toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] bytes(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void readLaysDirtyBlocksOverTheMediaBlockByBlock() throws IOException {
        media.write(0, filled(2048, 1), 0, 2048);
        cache.write(512, filled(512, 2), 0, 512);
        cache.write(1536, filled(512, 3), 0, 512);

        byte[] got = readCache(0, 2048);

        byte[] expected = bytes(2048, 1);
        java.util.Arrays.fill(expected, 512, 1024, (byte) 2);
        java.util.Arrays.fill(expected, 1536, 2048, (byte) 3);
        assertThat(got).isEqualTo(expected);
        assertThat(readMedia(0, 2048)).isEqualTo(bytes(2048, 1));
    }

    @Test
    void discardZeroesTheMediaAndDropsTheCachedCopySoNeitherAReadNorAFlushBringsItBack() throws IOException {
        media.write(0, filled(2048, 6), 0, 2048);
        cache.write(0, filled(2048, 7), 0, 2048);

        cache.discard(512, 1024);
        cache.flush();

        byte[] expected = bytes(2048, 7);
        java.util.Arrays.fill(expected, 512, 1536, (byte) 0);
        assertThat(readCache(0, 2048)).isEqualTo(expected);
        assertThat(readMedia(0, 2048)).isEqualTo(expected);
    }

    @Test
    void writeThroughSupersedesTheCachedCopyForReadsAndLaterFlushes() throws IOException {
        cache.write(0, filled(1024, 4), 0, 1024);
        cache.writeThrough(0, filled(512, 5), 0, 512);

        cache.flush();

        byte[] expected = bytes(1024, 4);
        java.util.Arrays.fill(expected, 0, 512, (byte) 5);
        assertThat(readMedia(0, 1024)).isEqualTo(expected);
        assertThat(readCache(0, 1024)).isEqualTo(expected);
    }

    @Test
    void flushAcrossLinesWritesEveryDirtyRunBackAndLeavesNothingDirty() throws IOException {
        long nearBoundary = (1 << 20) - 1024;
        cache.write(nearBoundary, filled(4096, 6), 0, 4096);
        cache.write(3 << 20, filled(512, 7), 0, 512);

        cache.flush();
        cache.powerCut();

        assertThat(cache.isDirty()).isFalse();
        assertThat(readMedia(nearBoundary, 4096)).isEqualTo(bytes(4096, 6));
        assertThat(readCache(3 << 20, 512)).isEqualTo(bytes(512, 7));
    }

    @Test
    void powerCutForgetsDirtyBlocksSoReadsSeeTheMediaAgain() throws IOException {
        media.write(4096, filled(512, 8), 0, 512);
        cache.write(4096, filled(1024, 9), 0, 1024);

        cache.powerCut();

        assertThat(readCache(4096, 1024)).isEqualTo(java.util.Arrays.copyOf(bytes(512, 8), 1024));
    }
}
