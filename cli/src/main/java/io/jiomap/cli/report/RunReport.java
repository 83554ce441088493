package io.jiomap.cli.report;

import io.jiomap.cli.measure.MachineInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a report shows of one run: what ran where, and its points. {@code jiomap bench} and {@code jiomap fio} build it
 * from their results, {@link ResultsJson} writes and reads it, the charts and the HTML page draw it.
 *
 * @param label     a short name for legends and tables ("jiomap bench", "seed", a file name)
 * @param command   the command line that produced it
 * @param device    the device as given on the command line, or a description for a reference
 * @param fs        the filesystem spec
 * @param blockSize bytes per I/O
 * @param machine   the machine and JVM it ran on
 * @param startedAt when it ran, ISO-8601
 * @param points    one per measured mode and queue depth
 */
public record RunReport(String label, String command, String device, String fs, long blockSize, MachineInfo machine,
                        String startedAt, List<ReportPoint> points) {
    public RunReport {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(fs, "fs");
        Objects.requireNonNull(machine, "machine");
        Objects.requireNonNull(startedAt, "startedAt");
        points = List.copyOf(points);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a report needs at least one point");
        }
        for (int a = 0; a < points.size(); a++) {
            for (int b = a + 1; b < points.size(); b++) {
                if (points.get(a).mode().equals(points.get(b).mode()) && points.get(a).qd() == points.get(b).qd()) {
                    throw new IllegalArgumentException("two points for mode " + points.get(a).mode() + " at QD "
                            + points.get(a).qd());
                }
            }
        }
    }

    /** The modes, in the order of their first point. */
    public List<String> modes() {
        List<String> modes = new ArrayList<>();
        points.forEach(p -> {
            if (!modes.contains(p.mode())) {
                modes.add(p.mode());
            }
        });
        return modes;
    }

    /** The queue depths, ascending. */
    public List<Integer> queueDepths() {
        return points.stream().map(ReportPoint::qd).distinct().sorted().toList();
    }

    public Optional<ReportPoint> point(String mode, int qd) {
        return points.stream().filter(p -> p.mode().equals(mode) && p.qd() == qd).findFirst();
    }

    /** Where it ran, for chart titles: filesystem, device and machine. */
    public String where() {
        return fs + " on " + device + ", " + machine.cpuModel() + " x" + machine.nproc();
    }
}
