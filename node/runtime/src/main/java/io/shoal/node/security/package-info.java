/**
 * Credentials of a secured cluster, without any network code: the cluster's CA and its revocation
 * list, a node's key and certificate, the node id derived from a certificate's public key, the
 * check of a peer's certificate, and signatures made with a node's key. The Netty runtime ({@code
 * io.shoal.node.net}) builds its TLS contexts from these; the CLI's {@code shoal cluster} commands
 * write them.
 *
 * <p>Every file is read and written here; every error an operator can cause (a missing file, an
 * expired certificate, a key that does not match its certificate) is a {@link
 * io.shoal.node.security.CredentialException} with a one-line message naming the file.
 */
package io.shoal.node.security;
