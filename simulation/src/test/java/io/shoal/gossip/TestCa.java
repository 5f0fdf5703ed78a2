package io.shoal.gossip;

import io.shoal.chunkstore.ChunkId;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A stand-in for the cluster's CA in gossip tests: it issues Ed25519 keys to node ids, and its
 * authorities admit exactly the keys it issued and has not revoked. A credential is the encoded
 * public key. Test fixture; the running node's authority checks X.509 certificates instead.
 */
final class TestCa {
  private final Map<NodeId, KeyPair> issued = new HashMap<>();
  private final Set<NodeId> revoked = new HashSet<>();
  private final SecureRandom random;

  TestCa(long seed) {
    try {
      random = SecureRandom.getInstance("SHA1PRNG");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    random.setSeed(seed);
  }

  /** The authority of node {@code id}, issuing it a key on first use. */
  Authority authorityFor(NodeId id) {
    return new Authority(id, keyPair(id));
  }

  /** The credential the CA issued to {@code id}. */
  byte[] credentialOf(NodeId id) {
    return keyPair(id).getPublic().getEncoded();
  }

  /** A key pair the CA never issued, for forgers. */
  KeyPair rogueKeyPair() {
    return generate();
  }

  void revoke(NodeId id) {
    revoked.add(id);
  }

  static byte[] sign(KeyPair keys, byte[] payload) {
    try {
      java.security.Signature s = java.security.Signature.getInstance("Ed25519");
      s.initSign(keys.getPrivate());
      s.update(payload);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private KeyPair keyPair(NodeId id) {
    return issued.computeIfAbsent(id, k -> generate());
  }

  private KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, random);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One node's authority under this CA. */
  final class Authority implements ClaimAuthority {
    private final NodeId self;
    private final KeyPair keys;
    private BiPredicate<NodeId, ChunkId> trust = (publisher, root) -> true;

    Authority(NodeId self, KeyPair keys) {
      this.self = self;
      this.keys = keys;
    }

    /** Narrows which publishers' snapshots count here. */
    Authority trusting(BiPredicate<NodeId, ChunkId> rule) {
      this.trust = rule;
      return this;
    }

    NodeId id() {
      return self;
    }

    @Override
    public boolean isSigning() {
      return true;
    }

    @Override
    public byte[] ownCredential() {
      return keys.getPublic().getEncoded();
    }

    @Override
    public byte[] sign(byte[] payload) {
      return TestCa.sign(keys, payload);
    }

    @Override
    public ClaimKey admit(NodeId subject, byte[] credential) {
      KeyPair k = issued.get(subject);
      if (k == null
          || revoked.contains(subject)
          || !Arrays.equals(k.getPublic().getEncoded(), credential)) {
        return null;
      }
      PublicKey key = decode(credential);
      return (payload, signature) -> verify(key, payload, signature);
    }

    @Override
    public boolean trusts(NodeId publisher, ChunkId root) {
      return trust.test(publisher, root);
    }
  }

  private static PublicKey decode(byte[] encoded) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean verify(PublicKey key, byte[] payload, byte[] signature) {
    try {
      java.security.Signature s = java.security.Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(payload);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
