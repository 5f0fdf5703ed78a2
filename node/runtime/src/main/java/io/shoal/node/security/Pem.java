package io.shoal.node.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM files of keys (PKCS#8, written 0600) and certificates, read and written with one-line errors
 * naming the file.
 */
final class Pem {
  static final String CERTIFICATE = "CERTIFICATE";
  static final String PRIVATE_KEY = "PRIVATE KEY";

  /** Longest credential file read, in bytes: a PEM key or certificate is a few hundred. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private Pem() {}

  static X509Certificate readCertificate(Path file) throws CredentialException {
    return parseCertificate(read(file, CERTIFICATE), file.toString());
  }

  static X509Certificate parseCertificate(byte[] der, String what) throws CredentialException {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | ClassCastException e) {
      throw new CredentialException(what + " is not an X.509 certificate: " + e.getMessage(), e);
    }
  }

  static PrivateKey readPrivateKey(Path file) throws CredentialException {
    try {
      return KeyScheme.privateKey(read(file, PRIVATE_KEY));
    } catch (GeneralSecurityException e) {
      throw new CredentialException(
          file + " is not a " + KeyScheme.CURVE + " private key (PKCS#8): " + e.getMessage(), e);
    }
  }

  /** Whether group or others may read {@code file}: worth a warning for a private key. */
  static boolean isReadableByOthers(Path file) {
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      return p.contains(PosixFilePermission.GROUP_READ)
          || p.contains(PosixFilePermission.OTHERS_READ);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private static byte[] read(Path file, String type) throws CredentialException {
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new CredentialException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new CredentialException(file + " is missing");
    } catch (AccessDeniedException e) {
      throw new CredentialException(file + " cannot be read: permission denied");
    } catch (IOException e) {
      throw new CredentialException(file + " cannot be read: " + e.getMessage(), e);
    }
    try (PemReader r = new PemReader(new StringReader(text))) {
      PemObject o = r.readPemObject();
      if (o == null || !o.getType().equals(type)) {
        throw new CredentialException(
            file
                + " holds no PEM block of type "
                + type
                + (o == null ? "" : " (" + o.getType() + ")"));
      }
      return o.getContent();
    } catch (IOException e) {
      throw new CredentialException(file + " is not valid PEM: " + e.getMessage(), e);
    }
  }

  static void writeCertificate(Path file, X509Certificate cert) throws IOException {
    try {
      writeAtomically(file, encode(CERTIFICATE, cert.getEncoded()), false);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a certificate just built", e);
    }
  }

  /**
   * Writes a private key readable by its owner only, with those permissions from the start (never a
   * moment world-readable). Refuses to replace an existing file unless {@code replace}.
   */
  static void writePrivateKey(Path file, PrivateKey key, boolean replace) throws IOException {
    if (!replace && Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString(), null, "already exists; not replaced");
    }
    writeAtomically(file, encode(PRIVATE_KEY, key.getEncoded()), true);
  }

  static void writeText(Path file, String text) throws IOException {
    writeAtomically(file, text.getBytes(StandardCharsets.UTF_8), false);
  }

  private static byte[] encode(String type, byte[] der) {
    StringWriter s = new StringWriter();
    try (PemWriter w = new PemWriter(s)) {
      w.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new IllegalStateException("writing PEM to memory failed", e);
    }
    return s.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Temp file in the same directory, fsync, rename: a crash leaves the old file or the new. */
  private static void writeAtomically(Path file, byte[] bytes, boolean ownerOnly)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp =
        ownerOnly
            ? Files.createTempFile(
                dir, ".tmp-", ".pem", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createTempFile(dir, ".tmp-", ".pem");
    try {
      if (!ownerOnly) {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      try (var ch =
          java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
