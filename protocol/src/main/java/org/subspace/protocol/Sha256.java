package org.subspace.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Lower-case hex sha256 digests: the names of artifacts and the keys of stages. */
public final class Sha256 {
  /** Bytes read at a time when hashing a file. */
  private static final int READ_BYTES = 1 << 20;

  private Sha256() {}

  public static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String hex(byte[] bytes) {
    MessageDigest digest = digest();
    digest.update(bytes);
    return hex(digest);
  }

  /** The digest of a file of any size, read through one bounded buffer. */
  public static String hex(Path file) throws IOException {
    MessageDigest digest = digest();
    ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (channel.read(buffer.clear()) >= 0) {
        digest.update(buffer.flip());
      }
    }
    return hex(digest);
  }
}
