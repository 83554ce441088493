package io.jiomap.device.toolkit.record;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;

/**
 * The data of a recorded write: a private copy taken at submission ({@link PayloadCapture#COPY}) or only its CRC32C
 * ({@link PayloadCapture#CRC32C}). Immutable: the copy is never written after capture, so crash states share it
 * instead of copying it again.
 */
public final class Payload {
    private final byte[] data;
    private final int length;
    private final boolean hasCrc;
    private int crc;

    Payload(byte[] data) {
        this.data = data;
        this.length = data.length;
        this.hasCrc = false;
    }

    Payload(int length, int crc) {
        this.data = null;
        this.length = length;
        this.hasCrc = true;
        this.crc = crc;
    }

    /** Whether the data was copied; false when only the CRC32C was kept. */
    public boolean hasData() {
        return data != null;
    }

    public int length() {
        return length;
    }

    /** The CRC32C of the data. */
    public int crc32c() {
        if (!hasCrc) {
            CRC32C c = new CRC32C();
            c.update(data);
            return (int) c.getValue();
        }
        return crc;
    }

    /**
     * A read-only view of the data (no copy).
     *
     * @throws IllegalStateException when only the CRC32C was recorded
     */
    public MemorySegment segment() {
        return MemorySegment.ofArray(requireData()).asReadOnly();
    }

    /** A fresh copy of the data. @throws IllegalStateException when only the CRC32C was recorded */
    public byte[] toArray() {
        return requireData().clone();
    }

    /** Copies {@code count} bytes from payload offset {@code from} into {@code dst} at {@code dstOffset}. */
    public void copyTo(int from, MemorySegment dst, long dstOffset, int count) {
        MemorySegment.copy(requireData(), from, dst, ValueLayout.JAVA_BYTE, dstOffset, count);
    }

    private byte[] requireData() {
        if (data == null) {
            throw new IllegalStateException("this write was recorded with PayloadCapture.CRC32C: only its CRC32C was"
                    + " kept, not its data");
        }
        return data;
    }

    @Override
    public String toString() {
        return length + " bytes, crc32c=" + Integer.toHexString(crc32c());
    }
}
