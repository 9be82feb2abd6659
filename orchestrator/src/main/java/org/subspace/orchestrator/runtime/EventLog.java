package org.subspace.orchestrator.runtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

  private final FileChannel channel;

  public EventLog(Path file) {
    try {
      DurableLines.dropTornTail(file);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the event log " + file + ": " + e.getMessage(), e);
    }
  }

  /** Appends {@code {"time": ..., "event": event, ...fields}} as one line. */
  public synchronized void append(String event, Map<String, ?> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("time", System.currentTimeMillis());
    line.put("event", event);
    line.putAll(fields);
    try {
      byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the event log: " + e.getMessage(), e);
    }
  }

  public static List<Map<String, Object>> read(Path file) throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        events.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
      }
    }
    return events;
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
