package io.jiomap.tck.observe;

import io.jiomap.api.iomap.Iomap;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The filesystem callbacks the engine made, in order: {@code iomap_begin}/{@code iomap_end} and {@code end_io}.
 * Filled by {@link ObservedFileSystemType} for any filesystem, and by the scripted filesystem for itself.
 */
public final class DioCallLog {
    private final List<IomapCall> iomap = new ArrayList<>();
    private final List<EndIoCall> endIo = new ArrayList<>();

    public synchronized void add(IomapCall call) {
        iomap.add(call);
    }

    public synchronized void add(EndIoCall call) {
        endIo.add(call);
        notifyAll();
    }

    /** Every begin and end call, in order. */
    public synchronized List<IomapCall> iomapCalls() {
        return List.copyOf(iomap);
    }

    /** The begin calls only. */
    public synchronized List<IomapCall> begins() {
        return iomap.stream().filter(IomapCall::begin).toList();
    }

    /** The end calls only. */
    public synchronized List<IomapCall> ends() {
        return iomap.stream().filter(c -> !c.begin()).toList();
    }

    public synchronized List<EndIoCall> endIoCalls() {
        return List.copyOf(endIo);
    }

    public synchronized int endIoCount() {
        return endIo.size();
    }

    /**
     * The device address of file position {@code pos} of inode {@code ino}, by the most recent successful begin
     * whose mapping covered it and had blocks; empty when no such mapping was reported.
     */
    public synchronized OptionalLong deviceAddressOf(long ino, long pos) {
        for (int i = iomap.size() - 1; i >= 0; i--) {
            IomapCall c = iomap.get(i);
            if (c.begin() && c.result() == 0 && c.ino() == ino && c.covers(pos)
                    && c.mapAddress() != Iomap.NULL_ADDRESS) {
                return OptionalLong.of(c.addressOf(pos));
            }
        }
        return OptionalLong.empty();
    }

    public synchronized void clear() {
        iomap.clear();
        endIo.clear();
    }
}
