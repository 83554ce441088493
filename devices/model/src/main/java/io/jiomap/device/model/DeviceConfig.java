package io.jiomap.device.model;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceCapabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated options of one modelled device.
 *
 * @param profile            the device type
 * @param capacityBytes      the size, a multiple of the logical block size
 * @param logicalBlockSize   512 or 4096
 * @param physicalBlockSize  a power of two from the logical block size to 64 KiB
 * @param maxTransferBytes   the largest bio
 * @param queues             hardware queue count
 * @param queueDepth         bios each queue holds before a submitter waits
 * @param volatileWriteCache whether completed writes sit in a cache until a flush (or FUA, where honoured)
 * @param serviceTime        the service-time model, {@link ServiceTime#NONE} by default
 * @param image              the image file holding the media, or null for sparse memory
 * @param pollQueues         poll queues besides the interrupt-driven ones (NVMe's {@code poll_queues}); 0: the
 *                           device cannot poll and completes a POLLED bio by interrupt
 * @param discard            whether the device takes DISCARD bios (NVMe's Dataset Management deallocate, SATA's
 *                           TRIM), in units of the physical block, up to {@link #MAX_DISCARD} bytes each; discarded
 *                           blocks read back as zeros
 */
public record DeviceConfig(DeviceProfile profile, long capacityBytes, int logicalBlockSize, int physicalBlockSize,
                           int maxTransferBytes, int queues, int queueDepth, boolean volatileWriteCache,
                           ServiceTime serviceTime, Path image, int pollQueues, boolean discard) {
    public static final String SIZE = "size";
    public static final String LBS = "lbs";
    public static final String PBS = "pbs";
    public static final String MAX_TRANSFER = "max-transfer";
    public static final String QUEUES = "queues";
    public static final String QUEUE_DEPTH = "queue-depth";
    public static final String VWC = "vwc";
    public static final String LATENCY = "latency";
    public static final String FLUSH_LATENCY = "flush-latency";
    public static final String BANDWIDTH = "bandwidth";
    public static final String PATH = "path";
    public static final String POLL_QUEUES = "poll-queues";
    public static final String DISCARD = "discard";
    /** The largest discard bio: 1 GiB, a multiple of every physical block size. */
    public static final int MAX_DISCARD = 1 << 30;

    private static final long DEFAULT_CAPACITY = 1L << 30;
    private static final int DEFAULT_MAX_TRANSFER = 512 << 10;
    private static final int MAX_TRANSFER_LIMIT = 64 << 20;
    private static final int MAX_PHYSICAL_BLOCK = 64 << 10;
    /** Longer than this a "latency" is a hang, not a model. */
    private static final long MAX_LATENCY_NANOS = 10_000_000_000L;

    /**
     * Whether FUA is honoured: NVMe's WC=1 FUA=1 row, or SATA's WC=1 FUA=0 (docs/devices.md,
     * "Write cache, FUA and flush").
     */
    public boolean fua() {
        return volatileWriteCache && profile.fuaWithCache();
    }

    /** Each option of the profile with a one-line explanation and its default, in the order one sets them. */
    /** What the device reports about discards: see {@link #discard()}. */
    public DeviceCapabilities.Discard discardLimits() {
        return discard ? new DeviceCapabilities.Discard(physicalBlockSize, MAX_DISCARD, true)
                : DeviceCapabilities.Discard.NONE;
    }

    public static Map<String, String> optionHelp(DeviceProfile p) {
        Map<String, String> help = new LinkedHashMap<>();
        help.put(SIZE, "device size in bytes, binary suffixes k/m/g/t, up to 4t (default 1g, or the image's size when"
                + " path names an existing image)");
        help.put(LBS, "logical block size, the unit of addressing and alignment: 512 or 4096 (default 512)");
        help.put(PBS, "physical block size, the atomic write unit: a power of two from lbs to 64k (default 4096,"
                + " or lbs if larger)");
        help.put(MAX_TRANSFER, "largest bio in bytes, a multiple of lbs up to 64m; larger bios fail with EINVAL"
                + " (default 512k)");
        if (p.multiQueue()) {
            help.put(QUEUES, "submission/completion queue pairs, each with its own irq thread; a submitting thread"
                    + " sticks to one: 1.." + p.maxQueues() + " (default the processor count, here "
                    + p.defaultQueues() + ")");
        }
        if (p.canPoll()) {
            help.put(POLL_QUEUES, "poll queues besides those: a POLLED bio (HIPRI, an IOPOLL ring) goes to one, and"
                    + " completes only when its submitter polls, on the submitter's thread, instead of on an irq"
                    + " thread; 0..." + p.maxPollQueues() + " (default 0, like the kernel's nvme.poll_queues: without"
                    + " poll queues a POLLED bio completes by interrupt)");
        }
        help.put(QUEUE_DEPTH, "bios each queue holds before a submitter waits (or gets EAGAIN with NOWAIT): 1.."
                + p.maxQueueDepth() + " (default " + p.maxQueueDepth() + ")");
        help.put(VWC, "volatile write cache on|off: with on, a completed write is lost by a power cut until a FLUSH"
                + (p.fuaWithCache() ? " or a FUA write" : "") + " makes it durable"
                + (p.fuaWithCache() ? "; FUA is honoured exactly when vwc=on" : "; FUA is never honoured")
                + " (default on)");
        help.put(LATENCY, "service time of a read or write, e.g. 10us; a bio completes no earlier than this after"
                + " submission (default 0: no model)");
        help.put(FLUSH_LATENCY, "service time of a FLUSH, e.g. 2ms" + (p.flushDrainsQueue()
                ? "; the queue drains before it and nothing runs beside it" : "")
                + " (default " + (p.defaultFlushNanos() == 0 ? "0" : p.defaultFlushNanos() / 1000 + "us") + ")");
        help.put(BANDWIDTH, "transfer rate of " + (p.multiQueue() ? "each queue" : "the device")
                + " in bytes per second, e.g. 2g; a bio's length/bandwidth adds to its service time (default 0:"
                + " unlimited)");
        help.put(DISCARD, "discard on|off: with on, the device takes discards (blkdiscard, fstrim, NBD TRIM) in units of"
                + " pbs, up to 1g each, and discarded blocks read back as zeros; with off, a discard fails with"
                + " EOPNOTSUPP (default on)");
        help.put(PATH, "image file holding the durable media (created sparse and extended to size); without it,"
                + " sparse off-heap memory. The image keeps what a power cut leaves; an orderly close also writes"
                + " the cache back (default none: memory)");
        return Collections.unmodifiableMap(help);
    }

    /** Validates the options of a device spec of this profile; EINVAL names the option and what it allows. */
    public static DeviceConfig parse(DeviceProfile p, Map<String, String> options) throws JiomapException {
        OptionReader r = new OptionReader(p.type(), options, optionHelp(p));
        int lbs = (int) r.bytes(LBS, 512, 512, 4096, 512, "512 or 4096");
        if (lbs != 512 && lbs != 4096) {
            throw r.invalid(LBS, r.text(LBS), "512 or 4096");
        }
        int pbs = (int) r.bytes(PBS, Math.max(4096, lbs), lbs, MAX_PHYSICAL_BLOCK, lbs,
                "a power of two from lbs (" + lbs + ") to 64k");
        if (Integer.bitCount(pbs) != 1) {
            throw r.invalid(PBS, r.text(PBS), "a power of two from lbs (" + lbs + ") to 64k");
        }
        Path image = null;
        if (r.has(PATH)) {
            try {
                image = Path.of(r.text(PATH).strip());
            } catch (InvalidPathException e) {
                throw r.invalid(PATH, r.text(PATH), "a file path (" + e.getReason() + ")");
            }
            if (r.text(PATH).isBlank() || Files.isDirectory(image)) {
                throw r.invalid(PATH, r.text(PATH), "a file, not a directory or nothing");
            }
        }
        long capacity = r.bytes(SIZE, defaultCapacity(image, lbs), lbs, MemoryBacking.MAX_CAPACITY, lbs,
                "a positive multiple of lbs (" + lbs + ") up to 4t, e.g. 1g");
        int maxTransfer = (int) r.bytes(MAX_TRANSFER, Math.max(DEFAULT_MAX_TRANSFER, lbs), lbs, MAX_TRANSFER_LIMIT,
                lbs, "a multiple of lbs (" + lbs + ") up to 64m, e.g. 512k");
        int queues = r.count(QUEUES, p.defaultQueues(), 1, p.maxQueues());
        int depth = r.count(QUEUE_DEPTH, p.maxQueueDepth(), 1, p.maxQueueDepth());
        boolean vwc = r.onOff(VWC, true);
        String durations = "a duration with unit ns, us, ms or s, up to 10s, e.g. 10us";
        long latency = r.nanos(LATENCY, 0, MAX_LATENCY_NANOS, durations);
        long flushLatency = r.nanos(FLUSH_LATENCY, p.defaultFlushNanos(), MAX_LATENCY_NANOS, durations);
        long bandwidth = r.bytes(BANDWIDTH, 0, 1, Long.MAX_VALUE, 1, "bytes per second, e.g. 500m or 2g");
        int pollQueues = p.canPoll() ? r.count(POLL_QUEUES, 0, 0, p.maxPollQueues()) : 0;
        boolean discard = r.onOff(DISCARD, true);
        return new DeviceConfig(p, capacity, lbs, pbs, maxTransfer, queues, depth, vwc,
                new ServiceTime(latency, flushLatency, bandwidth), image, pollQueues, discard);
    }

    /** 1 GiB, or an existing image's size rounded down to the logical block size. */
    private static long defaultCapacity(Path image, int lbs) throws JiomapException {
        if (image == null || !Files.isRegularFile(image)) {
            return DEFAULT_CAPACITY;
        }
        try {
            long size = Files.size(image) / lbs * lbs;
            return size > 0 ? Math.min(size, MemoryBacking.MAX_CAPACITY) : DEFAULT_CAPACITY;
        } catch (IOException e) {
            throw new JiomapException(io.jiomap.api.Errno.EIO, "cannot read the size of image " + image + ": "
                    + e.getMessage());
        }
    }
}
