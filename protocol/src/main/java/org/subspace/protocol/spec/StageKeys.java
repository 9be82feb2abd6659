package org.subspace.protocol.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.subspace.protocol.Sha256;

/**
 * Content keys of stages, derived in one place: the sha256 of the canonical JSON (properties
 * sorted, vocabulary in its configuration spelling) of the stage's whole spec (data by their
 * content, not their path), its algorithm version and its upstream keys. The same work has the same key in every run and sweep; any
 * change to what a stage reads, to how it computes, or to anything upstream gives a new key.
 */
public final class StageKeys {
  private static final ObjectWriter CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .addMixIn(DataSpec.class, DataByContent.class)
      .build()
      .writerFor(Content.class);

  /**
   * Where data lie is not what they are: a data file enters keys by its sha256
   * ({@code contentSha256}), so the same sweep keeps its keys when its data are moved, named by
   * another path, or read from the {@code sweep.conf} a run recorded (absolute paths).
   */
  private abstract static class DataByContent {
    @JsonIgnore
    abstract String path();
  }

  /** What a key hashes; {@code spec} carries its type name, so two kinds of stage never share a key. */
  private record Content(StageSpec spec, int version, List<String> upstream) {}

  private StageKeys() {}

  /**
   * The key of a stage doing {@code spec} on the work of {@code upstream} (keys, in a fixed
   * order). The planner chooses the upstream keys: a chain names the training its subspace
   * comes from rather than the subspace stage, so that one chain serves every larger rank.
   */
  public static String of(StageSpec spec, List<String> upstream) {
    return Sha256.hex(canonical(spec, upstream).getBytes(StandardCharsets.UTF_8));
  }

  /** The text the key hashes, for inspection and tests. */
  public static String canonical(StageSpec spec, List<String> upstream) {
    try {
      return CANONICAL.writeValueAsString(new Content(spec, spec.algorithmVersion(), List.copyOf(upstream)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stage specs are plain records", e);
    }
  }
}
