package io.jiomap.testkit.example;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The device type of EXTENDING.md, found by ServiceLoader (this module's test META-INF/services). */
// tag::ramdisk-provider[]
public final class RamDiskProvider implements BlockDeviceProvider {
    public static final String TYPE = "ramdisk";
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();
    private final AtomicInteger opened = new AtomicInteger();

    static {
        OPTIONS.put("size", "capacity in bytes, suffix k, m or g (default 64m)");
        OPTIONS.put("lbs", "logical block size: 512 or 4096 (default 512)");
        OPTIONS.put("max-transfer", "largest bio in bytes, a multiple of lbs (default 1m)");
        OPTIONS.put("vwc", "volatile write cache: off only, a RAM disk has none (default off)");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String description() {
        return "RAM without a write cache; bios complete inside submit";
    }

    @Override
    public Map<String, String> options() {
        return OPTIONS;
    }

    @Override
    public BlockDevice open(DeviceSpec spec) throws JiomapException {
        Map<String, String> o = new HashMap<>(spec.options());
        long size = bytes(o.remove("size"), 64 << 20, "size");
        int lbs = (int) bytes(o.remove("lbs"), 512, "lbs");
        int maxTransfer = (int) bytes(o.remove("max-transfer"), 1 << 20, "max-transfer");
        String vwc = o.remove("vwc");
        if (vwc != null && !vwc.equals("off")) {
            throw new JiomapException(Errno.EINVAL, "vwc=" + vwc + ": a ramdisk has no write cache, only vwc=off");
        }
        if (!o.isEmpty()) {
            throw new JiomapException(Errno.EINVAL, "unknown ramdisk options " + o.keySet() + "; known: "
                    + OPTIONS.keySet());
        }
        if ((lbs != 512 && lbs != 4096) || size % lbs != 0 || maxTransfer % lbs != 0 || maxTransfer <= 0) {
            throw new JiomapException(Errno.EINVAL, "ramdisk: lbs must be 512 or 4096 and divide size (" + size
                    + ") and max-transfer (" + maxTransfer + ")");
        }
        return new RamDisk(TYPE + opened.getAndIncrement(), size, lbs, maxTransfer);
    }

    private static long bytes(String text, long otherwise, String option) throws JiomapException {
        if (text == null) {
            return otherwise;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        int shift = t.endsWith("k") ? 10 : t.endsWith("m") ? 20 : t.endsWith("g") ? 30 : 0;
        try {
            return Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1)) << shift;
        } catch (NumberFormatException e) {
            throw new JiomapException(Errno.EINVAL, option + "=" + text + ": expected a number of bytes, e.g. 64m");
        }
    }
}
// end::ramdisk-provider[]
