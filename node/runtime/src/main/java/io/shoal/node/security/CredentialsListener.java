package io.shoal.node.security;

/**
 * Told when a running node has loaded its credential directory again because it changed: a renewed
 * certificate, a new revocation list, or both. New connections already use the new credentials when
 * this is called, and open connections to newly revoked peers are closing.
 *
 * <p>Called on a node's timer thread, one call at a time; must not block.
 */
@FunctionalInterface
public interface CredentialsListener {
  void credentialsChanged(NodeCredentials now);
}
