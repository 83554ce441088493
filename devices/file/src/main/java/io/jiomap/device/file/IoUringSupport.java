package io.jiomap.device.file;

import io.jiomap.api.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether io_uring can be used here, and how to say why not. */
final class IoUringSupport {
    private static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");
    private static volatile String probed;

    private IoUringSupport() {
    }

    /** Refuses platforms the raw system calls are not written for: the syscall numbers and O_DIRECT are x86_64's. */
    static void checkPlatform() throws IoUring.SetupException {
        if (!Libc.IS_X86_64_LINUX) {
            throw new IoUring.SetupException(Errno.EOPNOTSUPP, "io_uring through raw system calls is implemented"
                    + " for x86_64 Linux only (os.name=" + System.getProperty("os.name") + ", os.arch=" + Libc.ARCH
                    + ")");
        }
        if (!Libc.hasIoUringFunctions()) {
            throw new IoUring.SetupException(Errno.EOPNOTSUPP, "libc lacks syscall, mmap or eventfd");
        }
    }

    /** The reason for a device name: {@code io_uring_setup failed: EPERM (kernel.io_uring_disabled=2)}. */
    static String describe(IoUring.SetupException e) {
        String sysctl = readDisabledSysctl();
        if (e.errno() == Errno.EPERM && sysctl != null && !sysctl.equals("0")) {
            return e.getMessage() + " (kernel.io_uring_disabled=" + sysctl + ")";
        }
        return e.getMessage();
    }

    /**
     * What {@code engine=auto} picks on this machine, found once by setting up and closing a one-entry ring: for the
     * provider's description, so {@code jiomap devices} tells the user before any device is opened.
     */
    static String probe() {
        String result = probed;
        if (result == null) {
            try {
                checkPlatform();
                IoUring.create(1, 0).close();
                result = "io_uring available";
            } catch (IoUring.SetupException e) {
                result = "io_uring unavailable here (" + describe(e) + "), so auto uses threads";
            }
            probed = result;
        }
        return result;
    }

    private static String readDisabledSysctl() {
        try {
            return Files.readString(DISABLED_SYSCTL).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
