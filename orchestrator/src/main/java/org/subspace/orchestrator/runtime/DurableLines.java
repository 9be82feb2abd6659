package org.subspace.orchestrator.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Line-oriented files that are appended to and must never keep a half-written line. */
final class DurableLines {
  private DurableLines() {}

  /** Cuts the file back to its last newline, dropping a line a crash left half-written. */
  static void dropTornTail(Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long end = raf.length();
      long keep = end;
      while (keep > 0) {
        raf.seek(keep - 1);
        if (raf.read() == '\n') {
          break;
        }
        keep--;
      }
      if (keep != end) {
        raf.setLength(keep);
        raf.getFD().sync();
      }
    }
  }
}
