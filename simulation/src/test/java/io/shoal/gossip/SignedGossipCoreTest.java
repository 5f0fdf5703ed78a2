package io.shoal.gossip;

/**
 * Every scenario of {@link GossipCoreTest} again with signed claims: joins, crashes, refutations,
 * restarts on a new address, partitions and departures work when every member record, catalog entry
 * and publication carries its signer's signature and every node checks them.
 */
class SignedGossipCoreTest extends GossipCoreTest {
  @Override
  GossipHarness newHarness(long seed) {
    TestCa ca = new TestCa(seed);
    return new GossipHarness(FAST, seed).signingWith(ca::authorityFor);
  }
}
