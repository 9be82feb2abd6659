package org.subspace.orchestrator.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.HostName;

/**
 * One sweep at a time per output folder: an OS lock on {@code DIR/sweep.lock}, held while the
 * sweep runs, whose content names the holder. The kernel releases the lock of
 * a process that dies, however it dies, so a lock left by a killed sweep is simply taken
 * over; its content then tells who left it. A clean release empties the file.
 */
public final class OutputLock implements AutoCloseable {
  public static final String FILE = "sweep.lock";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Who holds (or last held) a folder. */
  public record Holder(long pid, String host, String since) {
    @Override
    public String toString() {
      return "pid " + pid + " on host " + host + " since " + since;
    }
  }

  private final FileChannel channel;
  private final FileLock lock;
  private final Optional<Holder> leftBy;

  private OutputLock(FileChannel channel, FileLock lock, Optional<Holder> leftBy) {
    this.channel = channel;
    this.lock = lock;
    this.leftBy = leftBy;
  }

  /**
   * Locks {@code folder} (which exists) for this process, or fails with a one-line
   * {@link BadInputException} naming the sweep that holds it.
   */
  public static OutputLock acquire(Path folder) {
    Path file = folder.resolve(FILE);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null;
      }
      Optional<Holder> recorded = read(channel);
      if (lock == null) {
        channel.close();
        throw new BadInputException(folder + " is in use by another sweep ("
            + recorded.map(Holder::toString).orElse("its holder did not say who it is") + ")");
      }
      ProcessHandle self = ProcessHandle.current();
      byte[] holder = JSON.writeValueAsBytes(new Holder(self.pid(), HostName.of(), Instant.now().toString()));
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(holder), 0);
      channel.force(true);
      return new OutputLock(channel, lock, recorded);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException(file + ": cannot lock the output folder: " + e.getMessage(), e);
    }
  }

  /** The holder whose lock this one took over, when that one ended without releasing it (it was killed). */
  public Optional<Holder> tookOverFrom() {
    return leftBy;
  }

  private static Optional<Holder> read(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0 || size > 4096) {
      return Optional.empty();
    }
    ByteBuffer bytes = ByteBuffer.allocate((int) size);
    while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) >= 0) {
      // Reads until the end.
    }
    try {
      return Optional.of(JSON.readValue(bytes.array(), Holder.class));
    } catch (IOException | RuntimeException unreadable) {
      // Not ours, or torn by a crash mid-write: nobody to name.
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    try {
      channel.truncate(0);
      channel.force(true);
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases the lock all the same.
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Nothing was written that matters.
      }
    }
  }
}
