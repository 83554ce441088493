package io.jiomap.fs.xfslike.log;

import io.jiomap.fs.xfslike.meta.Metadata;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A metadata transaction being built: each item is applied to the in-memory metadata as it is added and kept for
 * the log. The caller checks and reserves everything it needs (space, inodes, log room) before adding the first
 * item, so a transaction never fails half-way (FORMAT.md "Transactions").
 */
public final class Transaction {
    private final Metadata meta;
    private final List<LogItem> items = new ArrayList<>();

    public Transaction(Metadata meta) {
        this.meta = meta;
    }

    public Transaction add(LogItem item) {
        item.apply(meta);
        items.add(item);
        return this;
    }

    public List<LogItem> items() {
        return items;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** Encoded size: length, sequence, item count, then the items. */
    public int encodedSize() {
        int n = 14;
        for (LogItem i : items) {
            n += i.size();
        }
        return n;
    }

    void encode(ByteBuffer b, long seq) {
        b.putInt(encodedSize()).putLong(seq).putShort((short) 0);
        int countAt = b.position() - 2;
        int count = 0;
        for (LogItem i : items) {
            i.encode(b);
            count++;
        }
        b.putShort(countAt, (short) Math.min(count, 0xffff));
        if (count > 0xffff) {
            throw new IllegalStateException("transaction of " + count + " items");
        }
    }

    /** A committed transaction read back from the log. */
    public record Committed(long seq, List<LogItem> items) {
    }

    static Committed decode(ByteBuffer b) {
        int start = b.position();
        int len = b.getInt();
        long seq = b.getLong();
        int count = b.getShort() & 0xffff;
        List<LogItem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(LogItem.decode(b));
        }
        if (b.position() - start != len) {
            throw new IllegalArgumentException("transaction " + seq + " is " + (b.position() - start)
                    + " bytes, its header says " + len);
        }
        return new Committed(seq, out);
    }
}
