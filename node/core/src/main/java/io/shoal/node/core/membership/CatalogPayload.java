package io.shoal.node.core.membership;

import io.shoal.gossip.Endpoint;
import io.shoal.gossip.HeldVersion;
import io.shoal.gossip.NodeId;
import io.shoal.gossip.Pin;
import java.util.List;

/**
 * One payload of the catalogs that travel over Plumtree, as {@link CatalogCodec} decoded it: not
 * yet checked. Each record keeps the bytes it came from, which a node stores and forwards unchanged
 * so that every node checks the original signature.
 */
sealed interface CatalogPayload {
  /** The bytes this payload was decoded from (shared, never modified). */
  byte[] bytes();

  /**
   * One part of an owner's signed announcement of its catalog for {@code name} at {@code sequence}:
   * the parts of one announcement carry its versions in order, each part signed on its own.
   *
   * @param signedLength how many leading bytes the owner's signature covers
   */
  @SuppressWarnings("ArrayRecordComponent") // shared, never modified; no equality is used
  record Part(
      NodeId owner,
      long sequence,
      int index,
      int count,
      Endpoint address,
      String zone,
      String name,
      List<HeldVersion> versions,
      Pin pin,
      byte[] signature,
      int signedLength,
      byte[] bytes)
      implements CatalogPayload {}

  /**
   * An owner's signed word that it leaves: every announcement of it up to {@code sequence} is
   * stale.
   */
  @SuppressWarnings("ArrayRecordComponent") // shared, never modified; no equality is used
  record Leave(NodeId owner, long sequence, byte[] signature, int signedLength, byte[] bytes)
      implements CatalogPayload {}

  /**
   * One fragment of a node's credential, which needs no signature: the assembled credential is
   * admitted by the authority for exactly {@code subject}, or refused.
   */
  @SuppressWarnings("ArrayRecordComponent") // shared, never modified; no equality is used
  record CredentialPart(NodeId subject, int index, int count, byte[] fragment, byte[] bytes)
      implements CatalogPayload {}
}
