/**
 * Membership (SWIM with Lifeguard) and catalog dissemination (Scuttlebutt anti-entropy), as a
 * sans-IO state machine. Arrives with the gossip issue.
 */
package io.shoal.gossip;
