package org.subspace.orchestrator.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.subspace.workers.store.StorageFailureException;

/**
 * A line-oriented file that is only appended to and must never keep a half-written line:
 * each append is one write forced to disk; an append that fails is cut back to where it began
 * (so the next line never follows torn bytes), and opening cuts a torn last line (a crash
 * mid-write) back to the previous newline.
 */
final class AppendOnlyFile implements AutoCloseable {
  private final Path file;
  private final FileChannel channel;

  AppendOnlyFile(Path file) {
    this.file = file;
    try {
      dropTornTail(file);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw StorageFailureException.writeFailed(file, e);
    }
  }

  boolean isEmpty() {
    try {
      return channel.size() == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized void append(String text) {
    long start = -1;
    try {
      start = channel.size();
      ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      cutBackTo(start);
      throw StorageFailureException.writeFailed(file, e);
    }
  }

  /** Drops the part of a failed append that did reach the file, if any (best effort: opening cuts it too). */
  private void cutBackTo(long start) {
    if (start < 0) {
      return;
    }
    try {
      if (channel.size() > start) {
        channel.truncate(start);
        channel.force(false);
      }
    } catch (IOException ignored) {
      // The file is failing anyway; the next open drops a torn tail.
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void dropTornTail(Path file) throws IOException {
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
