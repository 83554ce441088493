package io.jiomap.device.file;

import java.util.Locale;

/** The {@code engine} option: which way bios reach the kernel. */
enum EngineChoice {
    /** io_uring through FFM; opening fails if io_uring cannot be set up. */
    IO_URING("io_uring"),
    /** A FileChannel with ExtendedOpenOption.DIRECT on the device's own thread pool. */
    THREADS("threads"),
    /** io_uring where it can be set up, else threads (the device name says which and why). */
    AUTO("auto");

    private final String optionValue;

    EngineChoice(String optionValue) {
        this.optionValue = optionValue;
    }

    String optionValue() {
        return optionValue;
    }

    /** The choice an option value names, or null. */
    static EngineChoice fromOption(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (EngineChoice c : values()) {
            if (c.optionValue.equals(v)) {
                return c;
            }
        }
        return null;
    }
}
