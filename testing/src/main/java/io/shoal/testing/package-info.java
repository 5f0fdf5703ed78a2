/**
 * Test fixtures shared by every module's tests (the {@code shoal-testing} module, a test-scoped
 * dependency everywhere): a fake clock, seeded test data, helpers for files, self-signed
 * certificates ({@link TestCertificates}), and {@link NettyLeakCheck}, which fails a test class
 * when Netty reports a leaked buffer. Strict by default: misuse fails loudly.
 */
package io.shoal.testing;
