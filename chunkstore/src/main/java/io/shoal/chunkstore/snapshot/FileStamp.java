package io.shoal.chunkstore.snapshot;

/**
 * What the file system says of a file without reading it: enough to tell, as rsync and git do, that
 * a file is the one an earlier publication read.
 *
 * @param sizeBytes the file's length
 * @param modifiedNanos its modification time, nanoseconds since the epoch
 * @param device the device that holds it
 * @param inode its inode on that device
 */
record FileStamp(long sizeBytes, long modifiedNanos, long device, long inode) {}
