package org.subspace.orchestrator.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.subspace.protocol.vocabulary.StageState;

/** The /status JSON spells stage states as the configuration does, as keys of the counts and as values. */
class SweepStatusTest {
  @Test
  void statesAreSpelledInLowerCaseAndReadBack() throws Exception {
    SweepStatus status = new SweepStatus("toy-grid", 1000, 2000, false, 2,
        new EnumMap<>(Map.of(StageState.RUNNING, 1, StageState.DONE, 2)), Double.NaN,
        new org.subspace.workers.store.ArtifactStore.Usage(3, 4096),
        List.of(new SweepStatus.Stage("k", "sample", "chain of toy", StageState.RUNNING, 1, "worker-1", Double.NaN,
            "5/10 iterations")), List.of("no TLS"));
    ObjectMapper json = new ObjectMapper();
    String text = json.writeValueAsString(status);
    assertTrue(text.contains("\"counts\":{\"running\":1,\"done\":2}"), text);
    assertTrue(text.contains("\"state\":\"running\""), text);
    SweepStatus back = json.readValue(text, SweepStatus.class);
    assertEquals(status.counts(), back.counts());
    assertEquals(status.stages(), back.stages());
    assertEquals(status.store(), back.store(), "the store's size reads back");
    assertEquals(List.of("no TLS"), back.warnings());
  }
}
