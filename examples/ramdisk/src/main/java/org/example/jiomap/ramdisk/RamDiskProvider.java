package org.example.jiomap.ramdisk;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The device type of EXTENDING.md, found by {@link java.util.ServiceLoader} (module-info's {@code provides} and
 * META-INF/services) and registered in OSGi by {@link RamDiskActivator}.
 */
// tag::ramdisk-provider[]
public final class RamDiskProvider implements BlockDeviceProvider {
    public static final String TYPE = "ramdisk";
    private static final Map<String, String> OPTIONS = new LinkedHashMap<>();
    private final AtomicInteger opened = new AtomicInteger();
    /** What {@link #closeAll} closes when the bundle stops; closed devices are dropped at the next open. */
    private final Set<BlockDevice> devices = ConcurrentHashMap.newKeySet();
    /** Set by {@link #closeAll}: a caller that found the service just before it went opens nothing after. */
    private boolean stopped;

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
        if ((lbs != 512 && lbs != 4096) || size <= 0 || size % lbs != 0 || maxTransfer % lbs != 0
                || maxTransfer <= 0) {
            throw new JiomapException(Errno.EINVAL, "ramdisk: lbs must be 512 or 4096 and divide size (" + size
                    + ") and max-transfer (" + maxTransfer + ")");
        }
        synchronized (this) {
            if (stopped) {
                throw new JiomapException(Errno.ENODEV, "the ramdisk plugin has stopped");
            }
            devices.removeIf(BlockDevice::isClosed);
            BlockDevice device = new RamDisk(TYPE + opened.getAndIncrement(), Arena.ofShared(), size, lbs,
                    maxTransfer);
            devices.add(device);
            return device;
        }
    }

    /** Closes every device still open: their memory goes with the bundle, and later bios fail with ENODEV. */
    public synchronized void closeAll() {
        stopped = true;
        devices.removeIf(device -> {
            device.close();
            return true;
        });
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
