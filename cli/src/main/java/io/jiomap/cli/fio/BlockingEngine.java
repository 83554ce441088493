package io.jiomap.cli.fio;

import io.jiomap.api.vfs.Inode;
import io.jiomap.api.vfs.Iocb;
import io.jiomap.core.OpenFile;
import io.jiomap.core.ring.CqeConsumer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@code ioengine=psync|sync|pvsync}: blocking calls at depth 1, like {@link OpenFile#pwrite} but with one iocb
 * reused for every I/O, so the loop allocates nothing. A synchronous iocb (no completion callback) makes the
 * direct-I/O path wait for the device in the calling thread, the kernel's sync-kiocb path.
 */
final class BlockingEngine implements IoEngine {
    private final OpenFile file;
    private final Inode inode;
    private final int blockSize;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffers;
    private final Iocb iocb = new Iocb();
    private boolean ready;
    private int readySlot;
    private long readyResult;

    BlockingEngine(OpenFile file, int blockSize) {
        this.file = file;
        this.inode = file.inode();
        this.blockSize = blockSize;
        this.buffers = arena.allocate(blockSize, 4096);
    }

    @Override
    public MemorySegment buffers() {
        return buffers;
    }

    @Override
    public void queue(int op, int slot, long offset) {
        if (ready) {
            throw new IllegalStateException("the blocking engine has depth 1; reap before queueing again");
        }
        long result = switch (op) {
            case OP_READ -> inode.read(iocb.set(inode, offset, file.iocbFlags(), null), buffers, 0, blockSize);
            case OP_WRITE -> inode.write(iocb.set(inode, offset, file.iocbFlags() | Iocb.WRITE, null), buffers, 0,
                    blockSize);
            case OP_FSYNC -> inode.fsync(0, Long.MAX_VALUE, false);
            default -> inode.fsync(0, Long.MAX_VALUE, true);
        };
        ready = true;
        readySlot = slot;
        readyResult = result;
    }

    @Override
    public void commit() {
    }

    @Override
    public void await(int min) {
    }

    @Override
    public int reap(CqeConsumer consumer) {
        if (!ready) {
            return 0;
        }
        ready = false;
        consumer.accept(readySlot, readyResult);
        return 1;
    }

    @Override
    public int pending() {
        return ready ? 1 : 0;
    }

    @Override
    public boolean completesInQueue() {
        return true;
    }

    @Override
    public void close() {
        arena.close();
    }
}
