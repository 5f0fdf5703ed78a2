package io.shoal.gossip;

/** The authority of an insecure node: nothing is signed, every claim counts. */
enum Unsigned implements ClaimAuthority, ClaimAuthority.ClaimKey {
  INSTANCE;

  private static final byte[] NONE = new byte[0];

  @Override
  public boolean isSigning() {
    return false;
  }

  @Override
  public byte[] ownCredential() {
    return NONE;
  }

  @Override
  public byte[] sign(byte[] payload) {
    return NONE;
  }

  @Override
  public ClaimKey admit(NodeId subject, byte[] credential) {
    return this;
  }

  @Override
  public boolean trusts(NodeId publisher, io.shoal.chunkstore.ChunkId root) {
    return true;
  }

  @Override
  public boolean verify(byte[] payload, byte[] signature) {
    return true;
  }
}
