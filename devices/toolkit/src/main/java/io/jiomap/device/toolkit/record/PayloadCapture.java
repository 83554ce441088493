package io.jiomap.device.toolkit.record;

/** What a {@link RecordingDevice} keeps of each write's data. */
public enum PayloadCapture {
    /** A copy of the data, taken at submission: needed to build crash states. */
    COPY,
    /** Only the CRC32C of the data: enough to check what was written, at a fraction of the memory. */
    CRC32C
}
