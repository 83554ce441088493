package io.jiomap.device.memory;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.DeviceCapabilities;
import io.jiomap.device.model.MemoryBacking;
import io.jiomap.device.model.OptionReader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The validated options of one memory device.
 *
 * @param capacityBytes      the device size, a multiple of the logical block size
 * @param logicalBlockSize   512 or 4096
 * @param physicalBlockSize  a power of two from the logical block size up to the media's extent size
 * @param volatileWriteCache whether completed writes sit in a cache a power cut loses until a flush or FUA
 * @param fua                whether FUA is honoured per write (only meaningful with the cache)
 * @param completion         where bios complete
 * @param delayNanos         the completion delay of {@link IrqMode#DELAY}, 0 for the other modes
 * @param queueDepth         the number of bios in flight before a submitter waits
 * @param maxTransferBytes   the largest bio accepted
 * @param discard            whether DISCARD bios are taken: in units of the logical block, up to 1 GiB each; the
 *                           range's written memory is zeroed and it reads back as zeros
 */
record MemoryDeviceConfig(long capacityBytes, int logicalBlockSize, int physicalBlockSize, boolean volatileWriteCache,
                          boolean fua, IrqMode completion, long delayNanos, int queueDepth,
                          int maxTransferBytes, boolean discard) {
    static final String SIZE = "size";
    static final String LBS = "lbs";
    static final String PBS = "pbs";
    static final String VWC = "vwc";
    static final String FUA = "fua";
    static final String COMPLETION = "completion";
    static final String DELAY = "delay";
    static final String QUEUE_DEPTH = "queue-depth";
    static final String MAX_TRANSFER = "max-transfer";
    static final String DISCARD = "discard";

    /** NVMe's largest queue (MQES is 16 bits, zero-based). */
    static final int MAX_QUEUE_DEPTH = 65536;
    /** A bio length is an int; 1 GiB keeps every transfer far from overflow when offsets are added. */
    static final int MAX_TRANSFER_LIMIT = 1 << 30;
    /** A longer completion delay is a hang, not a latency model. */
    static final long MAX_DELAY_NANOS = 10_000_000_000L;

    private static final long DEFAULT_CAPACITY = 1L << 30;
    private static final int DEFAULT_LOGICAL_BLOCK_SIZE = 512;
    private static final long DEFAULT_DELAY_NANOS = 10_000;
    private static final int DEFAULT_QUEUE_DEPTH = 1024;
    private static final int DEFAULT_MAX_TRANSFER = 512 << 10;

    /** Each option with a one-line explanation and its default, in the order a person would set them. */
    static final Map<String, String> OPTION_HELP = optionHelp();

    private static Map<String, String> optionHelp() {
        Map<String, String> help = new LinkedHashMap<>();
        help.put(SIZE, "device size in bytes, binary suffixes k/m/g/t, up to 4t; sparse, so a size beyond RAM"
                + " works as long as what is written fits (default 1g)");
        help.put(LBS, "logical block size, the unit of addressing and alignment: 512 or 4096 (default 512)");
        help.put(PBS, "physical block size advertised as the atomic write unit: a power of two from lbs to 1m"
                + " (default 4096, or lbs if larger)");
        help.put(VWC, "volatile write cache on|off: with on, completed writes are lost by powerCut() until a"
                + " FLUSH or a FUA write makes them durable (default off)");
        help.put(FUA, "honour FUA per write on|off; only meaningful with vwc=on (default on)");
        help.put(COMPLETION, "where bios complete: thread (an interrupt thread), submitter (in the submitter"
                + " before submit returns; inline is an alias) or delay (the interrupt thread, after a fixed delay)"
                + " (default thread)");
        help.put(DELAY, "completion delay with completion=delay, e.g. 500ns, 10us, 2ms, up to 10s (default 10us)");
        help.put(QUEUE_DEPTH, "bios in flight before a submitter waits (or gets EAGAIN with NOWAIT): 1..65536"
                + " (default 1024)");
        help.put(MAX_TRANSFER, "largest bio in bytes, a multiple of lbs up to 1g; larger bios fail with EINVAL"
                + " (default 512k)");
        help.put(DISCARD, "discard on|off: with on, the device takes discards in units of lbs, up to 1g each, and"
                + " reads them back as zeros; with off, a discard fails with EOPNOTSUPP (default on)");
        return Collections.unmodifiableMap(help);
    }

    /** Validates the options of a {@code memory} device spec; EINVAL names the option and what is allowed. */
    static MemoryDeviceConfig parse(Map<String, String> options) throws JiomapException {
        OptionReader r = new OptionReader(MemoryDeviceProvider.TYPE, options, OPTION_HELP);
        int lbs = (int) r.bytes(LBS, DEFAULT_LOGICAL_BLOCK_SIZE, 512, 4096, 512, "512 or 4096");
        if (lbs != 512 && lbs != 4096) {
            throw r.invalid(LBS, r.text(LBS), "512 or 4096");
        }
        String pbsAllowed = "a power of two from lbs (" + lbs + ") to 1m";
        int pbs = (int) r.bytes(PBS, Math.max(4096, lbs), lbs, MemoryBacking.EXTENT_SIZE, lbs, pbsAllowed);
        if (Integer.bitCount(pbs) != 1) {
            throw r.invalid(PBS, r.text(PBS), pbsAllowed);
        }
        long capacity = r.bytes(SIZE, DEFAULT_CAPACITY, lbs, MemoryBacking.MAX_CAPACITY, lbs,
                "a positive multiple of lbs (" + lbs + ") up to 4t, e.g. 1g");
        boolean vwc = r.onOff(VWC, false);
        boolean fua = r.onOff(FUA, true);
        IrqMode completion = IrqMode.THREAD;
        if (r.has(COMPLETION)) {
            completion = IrqMode.fromOption(r.text(COMPLETION).strip().toLowerCase(Locale.ROOT));
            if (completion == null) {
                throw r.invalid(COMPLETION, r.text(COMPLETION), "thread, submitter or delay");
            }
        }
        if (r.has(DELAY) && completion != IrqMode.DELAY) {
            throw new JiomapException(Errno.EINVAL, "memory device option delay=" + r.text(DELAY)
                    + " needs completion=delay (completion is " + completion.optionValue() + ")");
        }
        long delayNanos = completion != IrqMode.DELAY ? 0 : r.nanos(DELAY, DEFAULT_DELAY_NANOS,
                MAX_DELAY_NANOS, "a duration with unit ns, us, ms or s, up to 10s, e.g. 10us");
        int queueDepth = r.count(QUEUE_DEPTH, DEFAULT_QUEUE_DEPTH, 1, MAX_QUEUE_DEPTH);
        int maxTransfer = (int) r.bytes(MAX_TRANSFER, DEFAULT_MAX_TRANSFER, lbs, MAX_TRANSFER_LIMIT, lbs,
                "a multiple of lbs (" + lbs + ") up to 1g, e.g. 512k");
        boolean discard = r.onOff(DISCARD, true);
        return new MemoryDeviceConfig(capacity, lbs, pbs, vwc, fua, completion, delayNanos, queueDepth, maxTransfer,
                discard);
    }

    /** What the device reports about discards: see {@link #discard()}. */
    DeviceCapabilities.Discard discardLimits() {
        return discard ? new DeviceCapabilities.Discard(logicalBlockSize, MAX_TRANSFER_LIMIT, true)
                : DeviceCapabilities.Discard.NONE;
    }
}
