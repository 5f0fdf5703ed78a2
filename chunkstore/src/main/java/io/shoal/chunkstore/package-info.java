/**
 * The content-addressed chunk store: chunk ids and their hash algorithms, content-defined chunking
 * (FastCDC), and the durable on-disk store with its in-memory twin.
 *
 * <p>Nothing here opens a socket. The store is thread-safe; everything else in the package is
 * either immutable or documented as single-threaded.
 */
package io.shoal.chunkstore;
