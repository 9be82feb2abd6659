package org.subspace.orchestrator.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sweep's event log: one JSON object per line ({@code events.jsonl}), appended and forced
 * to disk as things happen, so that it survives a crash and tells what ran, where and how
 * often. A torn last line (a crash mid-write) is dropped when the log is reopened.
 */
public final class EventLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AppendOnlyFile file;

  public EventLog(Path file) {
    this.file = new AppendOnlyFile(file);
  }

  /** Appends {@code {"time": ..., "event": event, ...fields}} as one line. */
  public void append(String event, Map<String, ?> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", System.currentTimeMillis());
    line.put("event", event);
    line.putAll(fields);
    try {
      file.append(JSON.writeValueAsString(line) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("event fields must be plain values: " + fields, e);
    }
  }

  public static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    String text = Files.readString(file, StandardCharsets.UTF_8);
    // Only whole lines: a reader racing the sweep may see a line still being appended (or one a
    // crash cut off, which the next run drops).
    for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
      if (!line.isBlank()) {
        events.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
      }
    }
    return events;
  }

  @Override
  public void close() {
    file.close();
  }
}
