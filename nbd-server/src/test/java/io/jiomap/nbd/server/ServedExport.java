package io.jiomap.nbd.server;

import io.jiomap.api.JiomapException;
import io.jiomap.api.block.BlockDevice;
import io.jiomap.api.block.BlockDeviceProvider;
import io.jiomap.api.block.DeviceSpec;
import io.jiomap.api.fs.FileSystemType;
import io.jiomap.core.Mount;
import io.jiomap.core.OpenFile;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * A device opened from a spec, a filesystem mounted on it, one file of it exported by an {@link NbdServer} on a Unix
 * socket: what every test serves. Closing stops the server, unmounts and closes the device.
 */
final class ServedExport implements AutoCloseable {
    final BlockDevice device;
    final Mount mount;
    final OpenFile file;
    final NbdServer server;
    final Path socket;

    private ServedExport(BlockDevice device, Mount mount, OpenFile file, NbdServer server, Path socket) {
        this.device = device;
        this.mount = mount;
        this.file = file;
        this.server = server;
        this.socket = socket;
    }

    /** A whole device, through the raw filesystem, exported as {@code name}. */
    static ServedExport device(String deviceSpec, Path dir, String name, boolean readOnly) throws JiomapException {
        return serve(deviceSpec, "raw", "/dev", -1, dir, name, readOnly, false);
    }

    /** As {@link #device}, on TCP at 127.0.0.1 on a port the system picks (and no Unix socket). */
    static ServedExport deviceOnTcp(String deviceSpec, String name) throws JiomapException {
        return serve(deviceSpec, "raw", "/dev", -1, null, name, false, true);
    }

    /** {@code path} of a fresh {@code fs} on the device, created with {@code size} bytes, exported as {@code name}. */
    static ServedExport file(String deviceSpec, String fs, String path, long size, Path dir, String name)
            throws JiomapException {
        return serve(deviceSpec, fs, path, size, dir, name, false, false);
    }

    private static ServedExport serve(String deviceSpec, String fs, String path, long size, Path dir, String name,
                                      boolean readOnly, boolean tcp) throws JiomapException {
        DeviceSpec spec = DeviceSpec.parse(deviceSpec);
        BlockDevice device = provider(spec.type()).open(spec);
        FileSystemType type = fsType(fs);
        Mount.mkfs(type, device, java.util.Map.of());
        Mount mount = Mount.mount(type, device, Mount.Options.defaults());
        OpenFile file = mount.open(path, size >= 0 ? OpenFile.CREATE : 0);
        if (size >= 0) {
            file.truncate(size);
        }
        Path socket = tcp ? null : dir.resolve(name.isEmpty() ? "default.sock" : name + ".sock");
        NbdServer.Listen where = tcp ? new NbdServer.Tcp("127.0.0.1", 0) : new NbdServer.Unix(socket);
        NbdServer server = NbdServer.start(NbdExport.of(name, file, readOnly), List.of(where));
        return new ServedExport(device, mount, file, server, socket);
    }

    /** The NBD URI of the export, as libnbd, qemu and fio take it. */
    String uri() {
        return server.listening().getFirst().uri(server.export().name());
    }

    static BlockDeviceProvider provider(String type) {
        return ServiceLoader.load(BlockDeviceProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.type().equals(type)).findFirst().orElseThrow();
    }

    static FileSystemType fsType(String name) {
        return ServiceLoader.load(FileSystemType.class).stream().map(ServiceLoader.Provider::get)
                .filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Override
    public void close() throws JiomapException {
        try {
            server.close();
            mount.close();
        } finally {
            device.close();
        }
    }
}
