package io.jiomap.device.file;

import io.jiomap.api.Errno;
import io.jiomap.api.block.Bio;
import io.jiomap.api.block.BioOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The fallback engine where io_uring is unavailable (or {@code engine=threads}): a {@link FileChannel} opened with
 * {@code ExtendedOpenOption.DIRECT} and a small pool of this device's own threads, each doing blocking positional
 * reads and writes. FUA is a write followed by {@code force(false)} (fdatasync), FLUSH and PREFLUSH are
 * {@code force(false)}. It is the JDK's AsynchronousFileChannel shape, without its per-I/O task objects: the queue is
 * an {@link ArrayBlockingQueue} of the bios themselves, bounded by the queue depth.
 *
 * <p>Closing: the workers take one stop marker each after the bios queued before it; bios that a worker takes after
 * the close end with ENODEV, bios being transferred finish. A submitter that queued concurrently with the close and
 * finds the device closed takes its bio back out of the queue; {@link ArrayBlockingQueue#remove(Object)} and the
 * closer's {@code poll} cannot both get it, so each bio ends exactly once.
 */
final class ThreadsEngine implements Engine {
    /** A bio that is never submitted, only used to tell a worker to stop. */
    private static final Bio STOP = new Bio();

    private final FileChannel channel;
    private final ArrayBlockingQueue<Bio> queue;
    private final Thread[] workers;
    private final String name;
    private volatile boolean closed;
    private boolean shutdownStarted;

    ThreadsEngine(String name, FileChannel channel, int queueDepth, int threadCount) {
        this.name = name;
        this.channel = channel;
        this.queue = new ArrayBlockingQueue<>(queueDepth);
        this.workers = new Thread[threadCount];
        for (int i = 0; i < threadCount; i++) {
            workers[i] = Thread.ofPlatform().name("jiomap-" + name + "-io-" + i).daemon().unstarted(this::work);
        }
        for (Thread worker : workers) {
            worker.start();
        }
    }

    @Override
    public List<Thread> threads() {
        return List.of(workers);
    }

    @Override
    public void submit(Bio bio) {
        if (!queue.offer(bio)) {
            if (bio.hasFlag(Bio.NOWAIT)) {
                bio.complete(Errno.EAGAIN);
                return;
            }
            if (isWorker(Thread.currentThread())) {
                // A completion callback submitting again into a full queue: only workers empty the queue, so this
                // one must not wait for them; it does the transfer itself.
                bio.complete(closed ? Errno.ENODEV : execute(bio));
                return;
            }
            putUninterruptibly(bio);
        }
        if (closed && queue.remove(bio)) {
            bio.complete(Errno.ENODEV);
        }
    }

    private void putUninterruptibly(Bio bio) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(bio);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isWorker(Thread thread) {
        for (Thread worker : workers) {
            if (worker == thread) {
                return true;
            }
        }
        return false;
    }

    private void work() {
        Thread self = Thread.currentThread();
        while (true) {
            Bio bio;
            try {
                bio = queue.take();
            } catch (InterruptedException e) {
                // Nobody interrupts these threads but a misbehaving callback; keep serving until the stop marker.
                continue;
            }
            if (bio == STOP) {
                return;
            }
            int status = closed ? Errno.ENODEV : execute(bio);
            try {
                bio.complete(status);
            } catch (Throwable t) {
                self.getUncaughtExceptionHandler().uncaughtException(self, t);
            }
        }
    }

    /** One blocking transfer. @return 0 or a positive errno */
    private int execute(Bio bio) {
        try {
            if (bio.op() == BioOp.FLUSH) {
                channel.force(false);
                return 0;
            }
            if (bio.op() == BioOp.WRITE && bio.hasFlag(Bio.PREFLUSH)) {
                channel.force(false);
            }
            ByteBuffer buffer = bio.segment().asSlice(bio.segmentOffset(), bio.length()).asByteBuffer();
            long position = bio.address();
            if (bio.op() == BioOp.READ) {
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position + buffer.position());
                    if (n <= 0) {
                        return Errno.EIO;
                    }
                }
            } else {
                while (buffer.hasRemaining()) {
                    channel.write(buffer, position + buffer.position());
                }
                if (bio.hasFlag(Bio.FUA)) {
                    channel.force(false);
                }
            }
            return 0;
        } catch (ClosedChannelException e) {
            return Errno.ENODEV;
        } catch (IOException e) {
            return errnoOf(e);
        } catch (IllegalStateException | WrongThreadException | IndexOutOfBoundsException
                 | UnsupportedOperationException e) {
            // The bio's memory cannot be used: its arena is closed, confined to another thread, or read-only.
            return Errno.EFAULT;
        }
    }

    /** The JDK reports the kernel's failure as strerror text; map the ones a bio can cause back to errno. */
    private static int errnoOf(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Invalid argument") || message.contains("not a multiple")) {
            return Errno.EINVAL;
        }
        if (message.contains("No space left")) {
            return Errno.ENOSPC;
        }
        if (message.contains("Bad address")) {
            return Errno.EFAULT;
        }
        return Errno.EIO;
    }

    @Override
    public void shutdown() {
        synchronized (this) {
            closed = true;
            if (shutdownStarted) {
                if (!isWorker(Thread.currentThread())) {
                    joinWorkers();
                }
                return;
            }
            shutdownStarted = true;
        }
        if (isWorker(Thread.currentThread())) {
            // A completion callback closing the device: this worker cannot wait for itself, so another thread stops
            // the pool and closes the channel once the callback has returned.
            Thread.ofPlatform().name("jiomap-" + name + "-close").daemon().start(this::stopWorkersAndClose);
            return;
        }
        stopWorkersAndClose();
    }

    private void stopWorkersAndClose() {
        for (int i = 0; i < workers.length; i++) {
            putUninterruptibly(STOP);
        }
        joinWorkers();
        Bio bio;
        while ((bio = queue.poll()) != null) {
            if (bio != STOP) {
                bio.complete(Errno.ENODEV);
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            Thread self = Thread.currentThread();
            self.getUncaughtExceptionHandler().uncaughtException(self, e);
        }
    }

    private void joinWorkers() {
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (worker.isAlive()) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
