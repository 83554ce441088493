package io.jiomap.device.model;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Media in an image file, read and written with positional {@link FileChannel} I/O. The image holds exactly what the
 * device made durable (the volatile write cache stays in memory), so after a power cut or a crash of the process it
 * is the device's surviving content, and re-opening the device on it reads that back. Forcing the image to the host's
 * disk happens on close, not per flush: the model's durability is the image's content, not the host's.
 *
 * <p>A new image is created sparse and extended to the device size; an image longer than the device keeps its tail.
 */
public final class FileBacking implements Backing {
    private final Path image;
    private final FileChannel channel;

    /** Opens (or creates) the image and extends it to {@code capacity} bytes. */
    public FileBacking(Path image, long capacity) throws IOException {
        this.image = image;
        this.channel = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            if (channel.size() < capacity) {
                // One byte at the end extends the file without writing (or allocating) what lies before it.
                channel.write(ByteBuffer.allocate(1), capacity - 1);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The image file. */
    public Path image() {
        return image;
    }

    @Override
    public void read(long address, MemorySegment dst, long dstOffset, int length) throws IOException {
        ByteBuffer buffer = dst.asSlice(dstOffset, length).asByteBuffer();
        long position = address;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                // The image was truncated behind the device's back: what is missing reads as zeros.
                dst.asSlice(dstOffset + buffer.position(), buffer.remaining()).fill((byte) 0);
                return;
            }
            position += n;
        }
    }

    @Override
    public void write(long address, MemorySegment src, long srcOffset, int length) throws IOException {
        ByteBuffer buffer = src.asSlice(srcOffset, length).asByteBuffer();
        long position = address;
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    /** Writes zeros over the range: positional channel I/O cannot punch a hole, and the image must read back zeros. */
    @Override
    public void discard(long address, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(length, 1 << 20));
        long position = address;
        long end = address + length;
        while (position < end) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), end - position));
            while (zeros.hasRemaining()) {
                position += channel.write(zeros, position);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.force(true);
        } finally {
            channel.close();
        }
    }

    @Override
    public boolean persistent() {
        return true;
    }
}
