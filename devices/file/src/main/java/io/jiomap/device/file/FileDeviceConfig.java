package io.jiomap.device.file;

import io.jiomap.api.Errno;
import io.jiomap.api.JiomapException;
import io.jiomap.device.model.OptionReader;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated options of one file device.
 *
 * @param path             the regular file or block device
 * @param sizeBytes        the size to create or extend a regular file to, or -1 to use the existing size
 * @param queueDepth       io_uring entries (rounded up to a power of two by the kernel), or the bios queued for the
 *                         thread pool
 * @param maxTransferBytes the largest bio accepted (checked against the alignment once it is known)
 * @param engine           io_uring, threads or auto
 * @param options          the options as given, for messages about a value that proves wrong once the file is open
 */
record FileDeviceConfig(Path path, long sizeBytes, int queueDepth, int maxTransferBytes, EngineChoice engine,
                        OptionReader options) {
    static final String PATH = "path";
    static final String SIZE = "size";
    static final String QUEUE_DEPTH = "queue-depth";
    static final String MAX_TRANSFER = "max-transfer";
    static final String ENGINE = "engine";

    /** io_uring's own limit on SQ entries (IORING_MAX_ENTRIES). */
    static final int MAX_QUEUE_DEPTH = 32768;
    static final int MAX_TRANSFER_LIMIT = 1 << 30;
    private static final int DEFAULT_QUEUE_DEPTH = 128;
    private static final int DEFAULT_MAX_TRANSFER = 512 << 10;

    static final Map<String, String> OPTION_HELP = optionHelp();

    private static Map<String, String> optionHelp() {
        Map<String, String> help = new LinkedHashMap<>();
        help.put(PATH, "the regular file or block device to open with O_DIRECT (required)");
        help.put(SIZE, "create or extend (fallocate) a regular file to this size, binary suffixes k/m/g/t; a larger"
                + " file is used up to this size (default: the existing file's size)");
        help.put(QUEUE_DEPTH, "io_uring entries, rounded up to a power of two, or bios queued for the thread pool:"
                + " 1..32768 (default 128)");
        help.put(MAX_TRANSFER, "largest bio in bytes, a multiple of the alignment up to 1g (default 512k)");
        help.put(ENGINE, "io_uring (through FFM), threads (FileChannel with O_DIRECT on a thread pool) or auto:"
                + " io_uring where it can be set up, else threads (default auto)");
        return Collections.unmodifiableMap(help);
    }

    /** Validates the options of a {@code file} device spec; EINVAL names the option and what is allowed. */
    static FileDeviceConfig parse(Map<String, String> options) throws JiomapException {
        OptionReader reader = new OptionReader(FileDeviceProvider.TYPE, options, OPTION_HELP);
        String pathText = reader.text(PATH);
        if (pathText == null || pathText.isBlank()) {
            throw new JiomapException(Errno.EINVAL, "file device option path is required, e.g."
                    + " file:path=/var/tmp/disk.img,size=1g");
        }
        Path path;
        try {
            path = Path.of(pathText.trim()).toAbsolutePath();
        } catch (InvalidPathException e) {
            throw reader.invalid(PATH, pathText, "a file system path");
        }
        long size = reader.bytes(SIZE, -1, 1, Long.MAX_VALUE, 1, "a positive size, e.g. 1g");
        int queueDepth = reader.count(QUEUE_DEPTH, DEFAULT_QUEUE_DEPTH, 1, MAX_QUEUE_DEPTH);
        // Every direct-I/O alignment is a multiple of 512; the exact one is checked once the file is open.
        int maxTransfer = (int) reader.bytes(MAX_TRANSFER, DEFAULT_MAX_TRANSFER, 512, MAX_TRANSFER_LIMIT, 512,
                "a multiple of 512 up to 1g, e.g. 512k");
        EngineChoice engine = EngineChoice.AUTO;
        String engineText = reader.text(ENGINE);
        if (engineText != null) {
            engine = EngineChoice.fromOption(engineText);
            if (engine == null) {
                throw reader.invalid(ENGINE, engineText, "io_uring, threads or auto");
            }
        }
        return new FileDeviceConfig(path, size, queueDepth, maxTransfer, engine, reader);
    }
}
