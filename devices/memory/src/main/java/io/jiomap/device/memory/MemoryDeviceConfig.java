package io.jiomap.device.memory;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The validated options of one memory device.
 *
 * @param capacityBytes      the device size, a multiple of the logical block size
 * @param logicalBlockSize   512 or 4096
 * @param physicalBlockSize  a power of two from the logical block size up to the chunk size
 * @param volatileWriteCache whether completed writes sit in a cache a power cut loses until a flush or FUA
 * @param fua                whether FUA is honoured per write (only meaningful with the cache)
 * @param completion         where bios complete
 * @param delayNanos         the completion delay of {@link CompletionMode#DELAY}, 0 for the other modes
 * @param queueDepth         the number of bios in flight before a submitter waits
 * @param maxTransferBytes   the largest bio accepted
 */
record MemoryDeviceConfig(long capacityBytes, int logicalBlockSize, int physicalBlockSize, boolean volatileWriteCache,
                          boolean fua, CompletionMode completion, long delayNanos, int queueDepth,
                          int maxTransferBytes) {
    static final String SIZE = "size";
    static final String LBS = "lbs";
    static final String PBS = "pbs";
    static final String VWC = "vwc";
    static final String FUA = "fua";
    static final String COMPLETION = "completion";
    static final String DELAY = "delay";
    static final String QUEUE_DEPTH = "queue-depth";
    static final String MAX_TRANSFER = "max-transfer";

    /**
     * The largest device: the chunk table is a flat array with one reference per 1 MiB, so 4 TiB costs at most
     * 16 MiB of heap for the table while staying far beyond any filesystem test image.
     */
    static final long MAX_CAPACITY = 4L << 40;
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
        help.put(COMPLETION, "where bios complete: thread (an interrupt thread), inline (in the submitter before"
                + " submit returns) or delay (the interrupt thread, after a fixed delay) (default thread)");
        help.put(DELAY, "completion delay with completion=delay, e.g. 500ns, 10us, 2ms, up to 10s (default 10us)");
        help.put(QUEUE_DEPTH, "bios in flight before a submitter waits (or gets EAGAIN with NOWAIT): 1..65536"
                + " (default 1024)");
        help.put(MAX_TRANSFER, "largest bio in bytes, a multiple of lbs up to 1g; larger bios fail with EINVAL"
                + " (default 512k)");
        return Collections.unmodifiableMap(help);
    }

    /** Validates the options of a {@code memory} device spec; EINVAL names the option and what is allowed. */
    static MemoryDeviceConfig parse(Map<String, String> options) throws JiomapException {
        for (String key : options.keySet()) {
            if (!OPTION_HELP.containsKey(key)) {
                throw new JiomapException(Errno.EINVAL, "unknown memory device option '" + key + "'; known options: "
                        + String.join(", ", OPTION_HELP.keySet()));
            }
        }
        int lbs = DEFAULT_LOGICAL_BLOCK_SIZE;
        String lbsText = options.get(LBS);
        if (lbsText != null) {
            long v = Units.parseSize(lbsText);
            if (v != 512 && v != 4096) {
                throw invalid(LBS, lbsText, "512 or 4096");
            }
            lbs = (int) v;
        }
        int pbs = Math.max(4096, lbs);
        String pbsText = options.get(PBS);
        if (pbsText != null) {
            long v = Units.parseSize(pbsText);
            if (v < lbs || v > ChunkStore.CHUNK_SIZE || Long.bitCount(v) != 1) {
                throw invalid(PBS, pbsText, "a power of two from lbs (" + lbs + ") to 1m");
            }
            pbs = (int) v;
        }
        long capacity = DEFAULT_CAPACITY;
        String sizeText = options.get(SIZE);
        if (sizeText != null) {
            capacity = Units.parseSize(sizeText);
            if (capacity <= 0 || capacity > MAX_CAPACITY || capacity % lbs != 0) {
                throw invalid(SIZE, sizeText, "a positive multiple of lbs (" + lbs + ") up to 4t, e.g. 1g");
            }
        }
        boolean vwc = onOff(options, VWC, false);
        boolean fua = onOff(options, FUA, true);
        CompletionMode completion = CompletionMode.THREAD;
        String completionText = options.get(COMPLETION);
        if (completionText != null) {
            completion = CompletionMode.fromOption(completionText.trim().toLowerCase(Locale.ROOT));
            if (completion == null) {
                throw invalid(COMPLETION, completionText, "thread, inline or delay");
            }
        }
        long delayNanos = 0;
        String delayText = options.get(DELAY);
        if (delayText != null && completion != CompletionMode.DELAY) {
            throw new JiomapException(Errno.EINVAL, "memory device option delay=" + delayText
                    + " needs completion=delay (completion is " + completion.optionValue() + ")");
        }
        if (completion == CompletionMode.DELAY) {
            delayNanos = DEFAULT_DELAY_NANOS;
            if (delayText != null) {
                delayNanos = Units.parseNanos(delayText);
                if (delayNanos < 0 || delayNanos > MAX_DELAY_NANOS) {
                    throw invalid(DELAY, delayText, "a duration with unit ns, us, ms or s, up to 10s, e.g. 10us");
                }
            }
        }
        int queueDepth = DEFAULT_QUEUE_DEPTH;
        String depthText = options.get(QUEUE_DEPTH);
        if (depthText != null) {
            long v = Units.parseSize(depthText);
            if (v < 1 || v > MAX_QUEUE_DEPTH) {
                throw invalid(QUEUE_DEPTH, depthText, "a count from 1 to 65536");
            }
            queueDepth = (int) v;
        }
        int maxTransfer = DEFAULT_MAX_TRANSFER;
        String maxTransferText = options.get(MAX_TRANSFER);
        if (maxTransferText != null) {
            long v = Units.parseSize(maxTransferText);
            if (v < lbs || v > MAX_TRANSFER_LIMIT || v % lbs != 0) {
                throw invalid(MAX_TRANSFER, maxTransferText, "a multiple of lbs (" + lbs + ") up to 1g, e.g. 512k");
            }
            maxTransfer = (int) v;
        }
        return new MemoryDeviceConfig(capacity, lbs, pbs, vwc, fua, completion, delayNanos, queueDepth, maxTransfer);
    }

    private static boolean onOff(Map<String, String> options, String key, boolean defaultValue)
            throws JiomapException {
        String text = options.get(key);
        if (text == null) {
            return defaultValue;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes", "1" -> true;
            case "off", "false", "no", "0" -> false;
            default -> throw invalid(key, text, "on or off");
        };
    }

    private static JiomapException invalid(String key, String value, String allowed) {
        return new JiomapException(Errno.EINVAL, "memory device option " + key + "=" + value + " is not allowed: "
                + key + " must be " + allowed);
    }
}
