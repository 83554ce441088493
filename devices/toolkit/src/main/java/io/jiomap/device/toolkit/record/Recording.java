package io.jiomap.device.toolkit.record;

import io.jiomap.api.block.DeviceCapabilities;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable snapshot of what a {@link RecordingDevice} saw: its events in global sequence order, plus the
 * capabilities of the device they went to (whether it has a volatile write cache and honours FUA decides what a
 * completed write promises).
 *
 * @param deviceName   the recorded device's name
 * @param capabilities the recorded device's capabilities
 * @param capture      what was kept of each write's data
 * @param events       every event, {@code events.get(i).seq() == i}
 */
public record Recording(String deviceName, DeviceCapabilities capabilities, PayloadCapture capture,
                        List<Event> events) {
    public Recording {
        events = List.copyOf(events);
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).seq() != i) {
                throw new IllegalArgumentException("event " + i + " has seq " + events.get(i).seq()
                        + ": a recording's events are numbered 0, 1, 2... in order");
            }
        }
    }

    /** The writes in submit order. */
    public List<Event.WriteSubmit> writes() {
        return ofType(Event.WriteSubmit.class);
    }

    /** The write completions in completion order. */
    public List<Event.WriteComplete> writeCompletions() {
        return ofType(Event.WriteComplete.class);
    }

    public List<Event.Mark> marks() {
        return ofType(Event.Mark.class);
    }

    private <T extends Event> List<T> ofType(Class<T> type) {
        List<T> result = new ArrayList<>();
        for (Event event : events) {
            if (type.isInstance(event)) {
                result.add(type.cast(event));
            }
        }
        return List.copyOf(result);
    }
}
