package org.subspace.workers.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A write failed because the file system is full (or over quota). Unlike other I/O errors it is
 * not worth retrying: the sweep stops, keeps what it finished, and resumes once space is freed.
 */
public final class DiskFullException extends UncheckedIOException {
  public DiskFullException(String message, IOException cause) {
    super(message, cause);
  }

  /** A disk-full error reported from elsewhere (another node), where only its message travelled. */
  public DiskFullException(String message) {
    super(message, new IOException("No space left on device"));
  }

  /** Below this much usable space, a failed write is taken for a full disk whatever its message says. */
  static final long NEARLY_FULL_BYTES = 1 << 20;

  /**
   * Whether an I/O error means "no space": ENOSPC or EDQUOT as the JDK words them in English,
   * or, since that wording follows the C library's locale, a file system with (almost) no
   * usable space left where the write went.
   */
  static boolean isNoSpace(IOException e, Path where) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
      return true;
    }
    if (where == null) {
      return false;
    }
    for (Path p = where.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        try {
          return Files.getFileStore(p).getUsableSpace() < NEARLY_FULL_BYTES;
        } catch (IOException unknown) {
          return false;
        }
      }
    }
    return false;
  }

  /** Wraps a failed write of {@code file}: a {@link DiskFullException} when the disk is full, else a plain one. */
  public static UncheckedIOException writeFailed(Object file, IOException e) {
    String message = "cannot write " + file + ": " + e.getMessage();
    Path where = file instanceof Path path ? path : null;
    return isNoSpace(e, where) ? new DiskFullException("disk full: " + message, e)
        : new UncheckedIOException(message, e);
  }

  /** The disk-full error somewhere in {@code error}'s causes, if any. */
  public static Optional<DiskFullException> in(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof DiskFullException diskFull) {
        return Optional.of(diskFull);
      }
    }
    return Optional.empty();
  }
}
