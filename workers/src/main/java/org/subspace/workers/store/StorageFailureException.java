package org.subspace.workers.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A write failed in a way that retrying cannot mend: the file system is full (or over quota),
 * read-only, refuses permission, or reports an I/O error. Unlike other I/O errors it stops the
 * sweep, which keeps what it finished and resumes once the storage is mended.
 */
public final class StorageFailureException extends UncheckedIOException {
  private static final String DISK_FULL = "disk full: ";
  /** Below this much usable space, a failed write is taken for a full disk whatever its message says. */
  static final long NEARLY_FULL_BYTES = 1 << 20;

  public StorageFailureException(String message, IOException cause) {
    super(message, cause);
  }

  /** A storage failure reported from elsewhere (another node), where only its message travelled. */
  public StorageFailureException(String message) {
    super(message, new IOException(message));
  }

  /** Whether it is a full disk (the message starts so): the cure is freeing space. */
  public boolean diskFull() {
    return getMessage().startsWith(DISK_FULL);
  }

  /**
   * Wraps a failed write of {@code file}: a {@link StorageFailureException} when the disk is
   * full or the storage failed past mending, else a plain one (which the stage's retries meet).
   */
  public static UncheckedIOException writeFailed(Object file, IOException e) {
    String message = "cannot write " + file + ": " + e.getMessage();
    Optional<String> unmendable = unmendable(e, file instanceof Path path ? path : null);
    return unmendable.isPresent() ? new StorageFailureException(unmendable.get() + message, e)
        : new UncheckedIOException(message, e);
  }

  /**
   * What makes a failed write one that retrying cannot mend, as the prefix of its message, if it
   * is one:
   * <ul>
   *   <li>no space: ENOSPC or EDQUOT as the JDK words them in English, or, since that wording
   *       follows the C library's locale, a file system with (almost) no usable space left where
   *       the write went;
   *   <li>permission refused (the JDK's own exception type);
   *   <li>a read-only file system (asked of the file system, and by the words);
   *   <li>EIO, known by its words only, so in English: elsewhere it is retried like any other
   *       failure, up to the stage's attempts.
   * </ul>
   */
  static Optional<String> unmendable(IOException e, Path where) {
    String message = String.valueOf(e.getMessage());
    Optional<FileStore> store = fileStore(where);
    if (message.contains("No space left on device") || message.contains("Disk quota exceeded")
        || store.map(StorageFailureException::nearlyFull).orElse(false)) {
      return Optional.of(DISK_FULL);
    }
    if (e instanceof AccessDeniedException) {
      return Optional.of("permission denied: ");
    }
    if (message.contains("Read-only file system") || store.map(FileStore::isReadOnly).orElse(false)) {
      return Optional.of("read-only file system: ");
    }
    return message.contains("Input/output error") ? Optional.of("I/O error: ") : Optional.empty();
  }

  private static boolean nearlyFull(FileStore store) {
    try {
      return store.getUsableSpace() < NEARLY_FULL_BYTES;
    } catch (IOException unknown) {
      return false;
    }
  }

  /** The file system {@code where} is (or would be) on: that of its nearest existing folder. */
  private static Optional<FileStore> fileStore(Path where) {
    if (where == null) {
      return Optional.empty();
    }
    for (Path p = where.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        try {
          return Optional.of(Files.getFileStore(p));
        } catch (IOException unknown) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** The storage failure somewhere in {@code error}'s causes, if any. */
  public static Optional<StorageFailureException> in(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof StorageFailureException failure) {
        return Optional.of(failure);
      }
    }
    return Optional.empty();
  }
}
