package org.subspace.orchestrator.runtime;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.subspace.orchestrator.plan.Configuration;
import org.subspace.protocol.BadInputException;
import org.subspace.protocol.vocabulary.Spelling;
import org.subspace.protocol.vocabulary.SubspaceKind;

/**
 * The results.csv format, derived from {@link ResultRow}: a header of its columns, then one
 * line per row. A missing metric is an empty cell, numbers are written as
 * {@link Double#toString} and counts as integers, seconds with three decimals, a baseline's
 * subspace as {@code none}; a cell is quoted only when it holds a comma or a quote.
 */
public final class ResultsCsv {
  private static final CsvMapper MAPPER = CsvMapper.builder()
      // Columns in the order of the record's components, not alphabetical as CSV mappers have them.
      .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      // Quote only cells that need it, however long (the stage key is 64 characters).
      .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
      .enable(CsvParser.Feature.EMPTY_STRING_AS_NULL, CsvParser.Feature.FAIL_ON_MISSING_COLUMNS)
      // An empty seed or rank is a broken row, not a zero.
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .addModule(new SimpleModule("results")
          .addSerializer(Double.class, new MissingAsEmpty())
          .addSerializer(Double.TYPE, new MissingAsEmpty())
          .addDeserializer(Double.class, new EmptyAsMissing())
          .addDeserializer(Double.TYPE, new EmptyAsMissing()))
      .build();
  private static final CsvSchema SCHEMA = MAPPER.schemaFor(ResultRow.class);
  private static final ObjectWriter FILE = MAPPER.writer(SCHEMA.withHeader());
  private static final ObjectWriter LINES = MAPPER.writer(SCHEMA.withoutHeader());
  private static final ObjectReader READER = MAPPER.readerFor(ResultRow.class)
      .with(SCHEMA.withHeader().withStrictHeaders(true));

  private ResultsCsv() {}

  /** The header line, with its newline. */
  public static String header() {
    return write(List.of());
  }

  /** One row's line, with its newline. */
  public static String line(ResultRow row) {
    return write(LINES, row);
  }

  /** A whole file: the header, then the rows in this order. */
  public static String write(List<ResultRow> rows) {
    return write(FILE, rows);
  }

  /** The rows of a results.csv; a file that does not parse is a {@link BadInputException} naming it and the line. */
  public static List<ResultRow> read(Path file) {
    try (MappingIterator<ResultRow> rows = READER.readValues(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      return rows.readAll();
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      throw new BadInputException(file + (where == null ? "" : ":" + where.getLineNr()) + ": not a results table "
          + "of this version (" + e.getOriginalMessage() + "); delete it and run the sweep again to rewrite it "
          + "from its store", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String write(ObjectWriter writer, Object value) {
    try {
      return writer.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a results row does not fit the results schema", e);
    }
  }

  /** A metric: NaN, the mark of a missing one, is an empty cell. */
  private static final class MissingAsEmpty extends JsonSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
      if (value.isNaN()) {
        out.writeNull();
      } else {
        out.writeNumber(value);
      }
    }
  }

  private static final class EmptyAsMissing extends JsonDeserializer<Double> {
    @Override
    public Double deserialize(JsonParser in, DeserializationContext context) throws IOException {
      return Double.parseDouble(in.getText());
    }

    @Override
    public Double getNullValue(DeserializationContext context) {
      return Double.NaN;
    }
  }

  /** Compute seconds, to the millisecond. */
  static final class Seconds extends JsonSerializer<Double> {
    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
      out.writeNumber(String.format(Locale.ROOT, "%.3f", value));
    }
  }

  /** A baseline's subspace, which it has none of. */
  static final class NoSubspace extends JsonSerializer<Object> {
    @Override
    public void serialize(Object value, JsonGenerator out, SerializerProvider provider) throws IOException {
      out.writeString(Configuration.NO_SUBSPACE);
    }
  }

  static final class Subspace extends JsonDeserializer<SubspaceKind> {
    @Override
    public SubspaceKind deserialize(JsonParser in, DeserializationContext context) throws IOException {
      String text = in.getText();
      if (text.equals(Configuration.NO_SUBSPACE)) {
        return null;
      }
      try {
        return Spelling.parse(SubspaceKind.class, text);
      } catch (IllegalArgumentException e) {
        return (SubspaceKind) context.handleWeirdStringValue(SubspaceKind.class, text, e.getMessage());
      }
    }
  }
}
