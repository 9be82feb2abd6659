package org.subspace.workers.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes a file whole or not at all: the bytes go to a temporary file in the same folder,
 * are forced to disk, the temporary is renamed over the target in one atomic step, and the
 * folder is forced too, so the rename itself survives a power cut. A crash leaves either the
 * old file or the new one, never a torn one.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static void write(Path target, byte[] bytes) {
    // A unique temporary name: two writers of the same content-addressed file must not collide.
    Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncFolder(target.getParent());
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // The write already failed; the original error is the one to report.
      }
      throw StorageFailureException.writeFailed(target, e);
    }
  }

  /**
   * Forces a folder's entries to disk: on Linux a rename is durable only once its folder is.
   * Where a folder cannot be opened for that (some file systems refuse), the rename stands as it
   * is; a folder that opens but fails to sync (EIO) is an error.
   */
  public static void syncFolder(Path folder) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(folder, StandardOpenOption.READ);
    } catch (IOException e) {
      if (Files.isDirectory(folder)) {
        return;
      }
      throw e;
    }
    try (channel) {
      channel.force(true);
    }
  }

  public static void write(Path target, String text) {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }
}
