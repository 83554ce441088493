package io.jiomap.fs.xfslike.file;

import io.jiomap.api.JiomapException;
import io.jiomap.api.iomap.IomapIter;
import io.jiomap.fs.xfslike.alloc.Reservations;

/**
 * What a direct write keeps in its iteration object's {@linkplain IomapIter#fsPrivate() private slot} for the whole
 * request: {@code null} while it holds nothing, a constant otherwise, so a request allocates nothing for its state.
 */
enum WriteRequestState {
    /** The request reserved checkpoint room for its end_io; end_io gives it back. */
    END_IO_ROOM_HELD;

    /** Reserves end_io's room for the request of {@code iter}, once per request. */
    static void reserveEndIoRoomLocked(IomapIter iter, Reservations reservations) throws JiomapException {
        if (iter.fsPrivate() == END_IO_ROOM_HELD) {
            return;
        }
        reservations.reserveEndIoLocked();
        iter.setFsPrivate(END_IO_ROOM_HELD);
    }

    /**
     * Gives back the end_io room the request of {@code iter} holds, if any; takes the metadata lock. end_io runs
     * once for every request whose {@code begin} ran, so nothing reserved there outlives the request.
     */
    static void releaseEndIoRoom(IomapIter iter, Reservations reservations) {
        if (iter.fsPrivate() != END_IO_ROOM_HELD) {
            return;
        }
        iter.setFsPrivate(null);
        reservations.releaseEndIo();
    }
}
