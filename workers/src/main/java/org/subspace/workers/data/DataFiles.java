package org.subspace.workers.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.HostName;
import org.subspace.protocol.Sha256;
import org.subspace.protocol.spec.DataSpec;
import org.subspace.protocol.vocabulary.DataSource;
import org.subspace.protocol.vocabulary.ImageFormat;

/**
 * The content identity of a sweep's data, in one place: what the planner puts in stage keys,
 * and what a worker checks before it trusts the file at a path. A table is the sha256 of its
 * file; an image folder the sha256 of its files' hashes, in the order they are read; generated
 * data has none. Files are hashed once per process while their size and modification time stay.
 */
public final class DataFiles {
  private record Hashed(long size, FileTime modified, String sha256) {}

  private static final Map<Path, Hashed> HASHED = new ConcurrentHashMap<>();

  private DataFiles() {}

  /**
   * The content identity of the data at {@code path}; a file that cannot be read is a
   * {@link BadInputException} naming it and the key {@code data.path}.
   */
  public static String contentSha256(DataSource source, Path path, ImageFormat format) {
    return switch (source) {
      case GENERATED_TOY -> "";
      case TABLE -> fileSha256(path);
      case IMAGES -> {
        StringBuilder hashes = new StringBuilder();
        for (Path file : ImageLoaders.files(path, format)) {
          hashes.append(fileSha256(file));
        }
        yield Sha256.hex(hashes.toString().getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  /**
   * Fails unless the data at the spec's path is the data the sweep was planned with: another
   * file at the same path (another node's copy, an edited table) would silently give other
   * numbers under the same stage keys.
   */
  public static void requireContent(DataSpec spec) {
    if (spec.contentSha256().isEmpty()) {
      return;
    }
    String actual = contentSha256(spec.source(), Path.of(spec.path()),
        spec.images() == null ? null : spec.images().format());
    if (!actual.equals(spec.contentSha256())) {
      throw new IllegalStateException(String.format(
          "%s on %s: its content hashes to %s, but the sweep was planned with %s (another file at the same path?)",
          spec.path(), HostName.of(), actual.substring(0, 12), spec.contentSha256().substring(0, 12)));
    }
  }

  private static String fileSha256(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    try {
      long size = Files.size(absolute);
      FileTime modified = Files.getLastModifiedTime(absolute);
      Hashed known = HASHED.get(absolute);
      if (known != null && known.size() == size && known.modified().equals(modified)) {
        return known.sha256();
      }
      String sha256 = Sha256.hex(absolute);
      HASHED.put(absolute, new Hashed(size, modified, sha256));
      return sha256;
    } catch (IOException e) {
      throw new BadInputException(file + ": data file not found or unreadable (data.path)");
    }
  }
}
