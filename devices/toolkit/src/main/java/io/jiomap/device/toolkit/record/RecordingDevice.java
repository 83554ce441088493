package io.jiomap.device.toolkit.record;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioEndIo;
import io.jiomap.api.block.BioOp;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.FilterBlockDevice;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A block device that records every write and flush it passes to an inner device (docs/crash-consistency.md,
 * "Recording device"): {@link Event.WriteSubmit} with a copy (or CRC32C) of the data, {@link
 * Event.WriteComplete}, {@link Event.FlushSubmit}, {@link Event.FlushComplete}, and the workload's {@link #mark} after
 * each fsync-family call returned. Reads pass through unrecorded. Discards are refused: crash states replay recorded
 * payloads, and a discard has none, so this device reports no discard support and ends a discard with EOPNOTSUPP.
 *
 * <p>A submit event is logged before the bio reaches the inner device and a completion event before the submitter's
 * callback runs, so a {@link #mark} made after a write returned always follows that write's completion.
 *
 * <p>The inner device sees a shadow bio over the caller's memory (from a pool), never the caller's bio. The log is
 * kept in growable columns rather than one object per event, so recording a write allocates nothing but its payload
 * copy (in {@link PayloadCapture#COPY}). Memory is not bounded: the log and every payload stay until the device is
 * discarded. Thread-safe: the log takes a short lock per event, never while calling the inner device.
 *
 * <p>Closing it closes the inner device, which it owns; the recording stays readable.
 */
public final class RecordingDevice extends FilterBlockDevice {
    private static final byte WRITE_SUBMIT = 1;
    private static final byte WRITE_COMPLETE = 2;
    private static final byte FLUSH_SUBMIT = 3;
    private static final byte FLUSH_COMPLETE = 4;
    private static final byte MARK = 5;
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    private final PayloadCapture capture;
    private final String name;
    private final ArrayDeque<Pending> pool = new ArrayDeque<>();

    // The log, one row per event, guarded by "this". Column meanings per kind:
    // WRITE_SUBMIT: a=address, b=length, c=flags, d=crc32c (CRC32C capture), obj=payload copy (COPY capture)
    // WRITE_COMPLETE / FLUSH_COMPLETE: a=seq of the submit, b=status;  FLUSH_SUBMIT: c=flags;  MARK: obj=label
    private int size;
    private byte[] kind = new byte[1024];
    private long[] a = new long[1024];
    private int[] b = new int[1024];
    private int[] c = new int[1024];
    private int[] d = new int[1024];
    private Object[] obj = new Object[1024];

    /** Writes and flushes reach the inner device as shadows, so a polled one could not be polled through here. */
    public RecordingDevice(BlockDevice inner, PayloadCapture capture) {
        super(inner, Polling.DROPPED, false);
        this.capture = Objects.requireNonNull(capture, "capture");
        this.name = "recording(" + inner.name() + ")";
    }

    /** Records with {@link PayloadCapture#COPY}, as crash states need. */
    public RecordingDevice(BlockDevice inner) {
        this(inner, PayloadCapture.COPY);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void submit(Bio bio) {
        BioOp op = bio.op();
        if (op == BioOp.READ) {
            in.submit(bio);
            return;
        }
        if (op == BioOp.DISCARD) {
            bio.complete(io.jiomap.api.Errno.EOPNOTSUPP);
            return;
        }
        Pending pending = take();
        pending.caller = bio;
        if (op == BioOp.WRITE) {
            pending.flush = false;
            pending.submitSeq = logWrite(bio);
            pending.shadow.set(BioOp.WRITE, bio.flags(), bio.address(), bio.segment(), bio.segmentOffset(),
                    bio.length(), pending, null);
        } else {
            pending.flush = true;
            pending.submitSeq = append(FLUSH_SUBMIT, 0, 0, bio.flags(), 0, null);
            pending.shadow.setFlush(bio.flags(), pending, null);
        }
        in.submit(pending.shadow);
    }

    private long logWrite(Bio bio) {
        int length = bio.length();
        MemorySegment segment = bio.segment();
        long offset = bio.segmentOffset();
        // A bio the inner device will refuse (negative length, memory too small) is still logged, without data, so
        // its failed completion has a submit to refer to.
        boolean readable = length > 0 && offset >= 0 && offset <= segment.byteSize() - length;
        if (capture == PayloadCapture.COPY) {
            byte[] copy = new byte[readable ? length : 0];
            if (readable) {
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, copy, 0, length);
            }
            return append(WRITE_SUBMIT, bio.address(), length, bio.flags(), 0, copy);
        }
        int crc = 0;
        if (readable) {
            CRC32C crc32c = CRC.get();
            crc32c.reset();
            crc32c.update(segment.asSlice(offset, length).asByteBuffer());
            crc = (int) crc32c.getValue();
        }
        return append(WRITE_SUBMIT, bio.address(), length, bio.flags(), crc, null);
    }

    /**
     * Declares a persistence point: call it after an fsync, fdatasync or O_DSYNC write returned, with a label naming
     * what it promised (e.g. the expected file image). Crash-state generation builds a state at every mark.
     *
     * @return the mark's sequence number
     */
    public long mark(String label) {
        return append(MARK, 0, 0, 0, 0, Objects.requireNonNull(label, "label"));
    }

    /** An immutable snapshot of everything recorded so far. */
    public Recording recording() {
        List<Event> events;
        synchronized (this) {
            events = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                events.add(event(i));
            }
        }
        return new Recording(in.name(), capabilities(), capture, events);
    }

    /** The number of events recorded so far. */
    public synchronized long eventCount() {
        return size;
    }

    private Event event(int i) {
        return switch (kind[i]) {
            case WRITE_SUBMIT -> new Event.WriteSubmit(i, a[i], b[i], c[i],
                    capture == PayloadCapture.COPY ? new Payload((byte[]) obj[i]) : new Payload(b[i], d[i]));
            case WRITE_COMPLETE -> new Event.WriteComplete(i, a[i], b[i]);
            case FLUSH_SUBMIT -> new Event.FlushSubmit(i, c[i]);
            case FLUSH_COMPLETE -> new Event.FlushComplete(i, a[i], b[i]);
            case MARK -> new Event.Mark(i, (String) obj[i]);
            default -> throw new IllegalStateException("corrupt recording: event kind " + kind[i] + " at " + i);
        };
    }

    private synchronized long append(byte k, long av, int bv, int cv, int dv, Object o) {
        if (size == kind.length) {
            int grown = size * 2;
            kind = Arrays.copyOf(kind, grown);
            a = Arrays.copyOf(a, grown);
            b = Arrays.copyOf(b, grown);
            c = Arrays.copyOf(c, grown);
            d = Arrays.copyOf(d, grown);
            obj = Arrays.copyOf(obj, grown);
        }
        int i = size++;
        kind[i] = k;
        a[i] = av;
        b[i] = bv;
        c[i] = cv;
        d[i] = dv;
        obj[i] = o;
        return i;
    }

    private Pending take() {
        synchronized (pool) {
            Pending pending = pool.pollFirst();
            return pending != null ? pending : new Pending();
        }
    }

    private void release(Pending pending) {
        synchronized (pool) {
            pool.addFirst(pending);
        }
    }

    /** A write or flush at the inner device: logs its completion, then ends the caller's bio. */
    private final class Pending implements BioEndIo {
        final Bio shadow = new Bio();
        Bio caller;
        long submitSeq;
        boolean flush;

        @Override
        public void endIo(Bio done) {
            int status = done.status();
            append(flush ? FLUSH_COMPLETE : WRITE_COMPLETE, submitSeq, status, 0, 0, null);
            Bio bio = caller;
            caller = null;
            release(this);
            bio.complete(status);
        }
    }
}
