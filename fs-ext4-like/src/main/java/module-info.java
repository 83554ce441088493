/** The ext4-like filesystem type: a plugin that depends on the jiomap api only and exports nothing. */
module io.jiomap.fs.ext4like {
    requires io.jiomap.api;
    requires static osgi.core;

    provides io.jiomap.api.fs.FileSystemType with io.jiomap.fs.ext4like.Ext4LikeFileSystemType;
}
