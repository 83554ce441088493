package io.jiomap.device.toolkit.crash;

import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.record.Event;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One image a crash could leave: the base image plus a set of recorded writes (some possibly torn), at a crash point
 * of the recording. Cheap to hold: only which writes apply is kept; the image is assembled when {@link #open()}ed,
 * as a copy-on-write overlay that shares the recorded payloads.
 */
public final class CrashState {
    private final WriteHistory history;
    private final BaseImage base;
    private final Mode mode;
    private final long point;
    private final PointKind kind;
    private final String markLabel;
    private final int choice;
    private final BitSet applied;
    /** Torn writes (by write number): the sectors of each that apply. */
    private final Map<Integer, BitSet> torn;

    CrashState(WriteHistory history, BaseImage base, Mode mode, long point, PointKind kind, String markLabel,
               int choice, BitSet applied, Map<Integer, BitSet> torn) {
        this.history = history;
        this.base = base;
        this.mode = mode;
        this.point = point;
        this.kind = kind;
        this.markLabel = markLabel;
        this.choice = choice;
        this.applied = applied;
        this.torn = torn;
    }

    public Mode mode() {
        return mode;
    }

    /** The crash point: the state is the device right after the event with this sequence number (-1: before any). */
    public long point() {
        return point;
    }

    public PointKind pointKind() {
        return kind;
    }

    /** The mark's label when the crash point is a {@link Event.Mark}. */
    public Optional<String> markLabel() {
        return Optional.ofNullable(markLabel);
    }

    /** Which of the random choices at this point it is ({@link Mode#RANDOM_SUBSET}); 0 otherwise. */
    public int choice() {
        return choice;
    }

    /** The writes whose data is in this image (torn ones included), in the order they are applied. */
    public List<Event.WriteSubmit> appliedWrites() {
        List<Event.WriteSubmit> result = new ArrayList<>(applied.cardinality());
        for (int w : history.applyOrder) {
            if (applied.get(w)) {
                result.add(history.writes[w]);
            }
        }
        return Collections.unmodifiableList(result);
    }

    /** Whether the write submitted at {@code writeSeq} is in this image, whole or torn. */
    public boolean applies(long writeSeq) {
        for (int w = 0; w < history.writes.length; w++) {
            if (history.writes[w].seq() == writeSeq) {
                return applied.get(w);
            }
        }
        return false;
    }

    /** The torn writes, by the seq of their submission: which of their logical blocks (from 0) made it. */
    public Map<Long, BitSet> tornWrites() {
        Map<Long, BitSet> result = new LinkedHashMap<>();
        torn.forEach((w, sectors) -> result.put(history.writes[w].seq(), (BitSet) sectors.clone()));
        return Collections.unmodifiableMap(result);
    }

    /**
     * A new block device holding this image. Reads fall through to the base image where no applied write covers a
     * block; writes (a filesystem's recovery) go to a private overlay, never to the base or the recording, so any
     * number of states can be opened, each independent. Completions are inline. Close it when done.
     */
    public BlockDevice open() {
        int blocks = 0;
        for (int w = applied.nextSetBit(0); w >= 0; w = applied.nextSetBit(w + 1)) {
            blocks += history.writes[w].length() / history.blockSize;
        }
        SectorMap overlay = new SectorMap(blocks);
        int shift = Integer.numberOfTrailingZeros(history.blockSize);
        for (int w : history.applyOrder) {
            if (!applied.get(w)) {
                continue;
            }
            Event.WriteSubmit write = history.writes[w];
            long first = write.address() >>> shift;
            int count = write.length() >>> shift;
            BitSet sectors = torn.get(w);
            for (int i = 0; i < count; i++) {
                if (sectors == null || sectors.get(i)) {
                    overlay.put(first + i, w);
                }
            }
        }
        return new CrashStateDevice(describeShort(), history, base, overlay);
    }

    private String describeShort() {
        return "crash-" + mode.name().toLowerCase(java.util.Locale.ROOT) + "@" + point
                + (mode == Mode.RANDOM_SUBSET ? "#" + choice : "");
    }

    /** Mode, crash point and which writes apply (by the seq of their submission), for failure messages. */
    public String description() {
        StringBuilder sb = new StringBuilder().append(mode).append(" at ");
        switch (kind) {
            case MARK -> sb.append("mark '").append(markLabel).append('\'');
            case BARRIER -> sb.append("barrier");
            case BEFORE_BARRIER -> sb.append("just before the barrier at seq ").append(point + 1);
            case WRITE_COMPLETION -> sb.append("write completion");
            case END -> sb.append("end of recording");
        }
        sb.append(" (seq ").append(point).append(')');
        if (mode == Mode.RANDOM_SUBSET) {
            sb.append(", choice ").append(choice);
        }
        sb.append(": ").append(applied.cardinality()).append(" of ").append(history.writeCount())
                .append(" writes applied [");
        String sep = "";
        for (int w : history.applyOrder) {
            if (applied.get(w)) {
                sb.append(sep).append('w').append(history.writes[w].seq());
                BitSet sectors = torn.get(w);
                if (sectors != null) {
                    sb.append(" torn ").append(sectors);
                }
                sep = ", ";
            }
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return description();
    }
}
