package io.jiomap.device.nbd.wire;

/**
 * The numbers of the NBD protocol (the NetworkBlockDevice project's {@code doc/proto.md}), shared by the client device
 * and the server: magics, handshake and transmission flags, option and command codes, reply types and the errors the
 * wire carries. Every integer on the wire is big-endian.
 *
 * <p>Only numbers live here; each side keeps its own encoding and decoding, because a client writes what a server
 * reads and the two never share a code path.
 */
public final class NbdWire {
    private NbdWire() {
    }

    /** The default TCP port (IANA). */
    public static final int DEFAULT_PORT = 10809;

    // --- Handshake -------------------------------------------------------------------------------------------------

    /** The first eight bytes a server sends: "NBDMAGIC". */
    public static final long NBDMAGIC = 0x4e42444d41474943L;
    /** Newstyle: follows NBDMAGIC from the server and starts every option from the client: "IHAVEOPT". */
    public static final long IHAVEOPT = 0x49484156454f5054L;
    /** Starts every option reply. */
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    /** Server handshake flag: the server speaks fixed newstyle. */
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    /** Server handshake flag: the server can omit the 124 zero bytes after EXPORT_NAME. */
    public static final int FLAG_NO_ZEROES = 1 << 1;
    /** Client flag: the client speaks fixed newstyle. */
    public static final int CLIENT_FIXED_NEWSTYLE = 1;
    /** Client flag: the server must omit the 124 zero bytes after EXPORT_NAME. */
    public static final int CLIENT_NO_ZEROES = 1 << 1;

    // --- Options (client to server during the handshake) -----------------------------------------------------------

    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;
    public static final int OPT_EXTENDED_HEADERS = 11;

    /** Option reply: the option succeeded (and ends a list of replies). */
    public static final int REP_ACK = 1;
    /** Option reply to OPT_LIST: one export name. */
    public static final int REP_SERVER = 2;
    /** Option reply to OPT_INFO/OPT_GO: one information item. */
    public static final int REP_INFO = 3;
    /** Option reply to the meta-context options: one context and its id. */
    public static final int REP_META_CONTEXT = 4;

    /** Error option replies have the top bit set. */
    public static final int REP_FLAG_ERROR = 1 << 31;
    public static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    public static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    public static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
    public static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
    public static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    public static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
    public static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
    public static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
    public static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;

    /** Information item: size (64 bits) and transmission flags (16 bits). */
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    /** Information item: minimum, preferred and maximum block size (32 bits each). */
    public static final int INFO_BLOCK_SIZE = 3;

    /** The metadata context of allocation state, the one BLOCK_STATUS answers for. */
    public static final String META_BASE_ALLOCATION = "base:allocation";
    /** base:allocation flag: the extent is a hole (reads as zeros unless ZERO is clear). */
    public static final int STATE_HOLE = 1;
    /** base:allocation flag: the extent reads as zeros. */
    public static final int STATE_ZERO = 1 << 1;

    // --- Transmission flags (16 bits, with the export's size) -----------------------------------------------------

    public static final int TF_HAS_FLAGS = 1;
    public static final int TF_READ_ONLY = 1 << 1;
    public static final int TF_SEND_FLUSH = 1 << 2;
    public static final int TF_SEND_FUA = 1 << 3;
    public static final int TF_ROTATIONAL = 1 << 4;
    public static final int TF_SEND_TRIM = 1 << 5;
    public static final int TF_SEND_WRITE_ZEROES = 1 << 6;
    public static final int TF_SEND_DF = 1 << 7;
    public static final int TF_CAN_MULTI_CONN = 1 << 8;
    public static final int TF_SEND_RESIZE = 1 << 9;
    public static final int TF_SEND_CACHE = 1 << 10;
    public static final int TF_SEND_FAST_ZERO = 1 << 11;

    // --- Transmission: requests and replies ------------------------------------------------------------------------

    /** Starts every request: magic (32), flags (16), type (16), cookie (64), offset (64), length (32). */
    public static final int REQUEST_MAGIC = 0x25609513;
    /** Request header length in bytes. */
    public static final int REQUEST_SIZE = 28;
    /** Starts a simple reply: magic (32), error (32), cookie (64), then the data of a successful read. */
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    /** Simple reply header length in bytes. */
    public static final int SIMPLE_REPLY_SIZE = 16;
    /** Starts a structured reply chunk: magic (32), flags (16), type (16), cookie (64), length (32), payload. */
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    /** Structured reply chunk header length in bytes. */
    public static final int STRUCTURED_REPLY_SIZE = 20;

    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;

    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;
    public static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    /** Structured reply chunk flag: the last chunk of the reply. */
    public static final int REPLY_FLAG_DONE = 1;
    public static final int REPLY_TYPE_NONE = 0;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_OFFSET_HOLE = 2;
    public static final int REPLY_TYPE_BLOCK_STATUS = 5;
    /** Error chunk types have bit 15 set. */
    public static final int REPLY_TYPE_ERROR = (1 << 15) | 1;
    public static final int REPLY_TYPE_ERROR_OFFSET = (1 << 15) | 2;

    // --- Errors on the wire (the protocol's own numbers, equal to Linux errno values) ------------------------------

    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;
}
