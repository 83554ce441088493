package io.jiomap.device.toolkit.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.device.toolkit.Devices;
import io.jiomap.device.toolkit.Devices.Probe;
import io.jiomap.device.toolkit.record.RecordingDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded random block workload: plain, FUA and PREFLUSH writes of one to four blocks, flushes, marks after every
 * barrier, and batches of concurrent writes, over a small range of blocks so that writes overlap. Every write's data
 * is unique per write and per byte offset ({@link Devices#pattern}), so a block's content tells which write it came
 * from.
 */
final class Workload {
    private Workload() {
    }

    static void run(Devices io, RecordingDevice device, long seed, int ops, int blocks, boolean endUnflushed) {
        int block = device.capabilities().logicalBlockSize();
        SplittableRandom random = new SplittableRandom(seed);
        int writeId = 1;
        for (int op = 0; op < ops; op++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                assertThat(write(io, device, random, blocks, block, writeId++, 0)).isZero();
            } else if (kind == 5) {
                assertThat(write(io, device, random, blocks, block, writeId++, Bio.FUA)).isZero();
                device.mark("fua-" + op);
            } else if (kind == 6) {
                assertThat(write(io, device, random, blocks, block, writeId++, Bio.PREFLUSH)).isZero();
            } else if (kind == 7) {
                assertThat(Devices.flush(device)).isZero();
                device.mark("flush-" + op);
            } else {
                List<Probe> batch = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int length = (1 + random.nextInt(4)) * block;
                    long address = (long) random.nextInt(blocks - 4) * block;
                    batch.add(Devices.submitWrite(device, address, io.pattern(length, writeId++), 0));
                }
                for (Probe probe : batch) {
                    assertThat(probe.awaitStatus()).isZero();
                }
            }
        }
        if (endUnflushed) {
            for (int i = 0; i < 3; i++) {
                assertThat(write(io, device, random, blocks, block, writeId++, 0)).isZero();
            }
        }
    }

    private static int write(Devices io, BlockDevice device, SplittableRandom random, int blocks, int block, int id,
                             int flags) {
        int length = (1 + random.nextInt(4)) * block;
        long address = (long) random.nextInt(blocks - 4) * block;
        return Devices.write(device, address, io.pattern(length, id), flags);
    }
}
