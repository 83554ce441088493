/** The XFS-like filesystem type: a plugin that depends on the jiomap api only and exports nothing. */
module io.jiomap.fs.xfslike {
    requires io.jiomap.api;
    requires static osgi.core;

    provides io.jiomap.api.fs.FileSystemType with io.jiomap.fs.xfslike.XfsLikeFileSystemType;
}
