/**
 * Test fixtures shared by every module's tests (shipped as the chunkstore test-jar): a fake clock,
 * seeded test data, and helpers for files. Strict by default: misuse fails loudly.
 */
package io.shoal.testing;
