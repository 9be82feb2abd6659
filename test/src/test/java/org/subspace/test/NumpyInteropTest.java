package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.protocol.store.ArtifactRef;
import org.subspace.protocol.tensor.Tensor;
import org.subspace.protocol.vocabulary.ArtifactKind;
import org.subspace.workers.store.ArtifactStore;

/** Python users read our artifacts with numpy.load: checked with the machine's Python and numpy. */
class NumpyInteropTest {
  @TempDir Path dir;

  @Test
  void numpyLoadsAStoredArtifactWithItsDtypesShapesAndValues() throws IOException, InterruptedException {
    ArtifactStore store = new ArtifactStore(dir);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("projection", Tensor.of(new float[] {1.5f, -2f, 0.25f, 3f, 4f, -0.125f}, 2, 3));
    tensors.put("singular_values", Tensor.of(new double[] {Math.PI, Math.E}, 2));
    tensors.put("state_rng", Tensor.scalar(-1234567890123L));
    ArtifactRef ref = store.putTensors(ArtifactKind.SUBSPACE, tensors);
    Path file = dir.resolve("objects").resolve(ref.sha256().substring(0, 2)).resolve(ref.sha256());

    String script = String.join("\n",
        "import sys, numpy",
        "d = numpy.load(sys.argv[1])",
        "for name in ('projection', 'singular_values', 'state_rng'):",
        "    a = d[name]",
        "    print(name, a.dtype, a.shape, repr(a.ravel().tolist()))");
    Process python = new ProcessBuilder("python3", "-c", script, file.toString()).redirectErrorStream(true).start();
    String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    python.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, python.exitValue(), output);
    assertEquals(List.of(
        "projection float32 (2, 3) [1.5, -2.0, 0.25, 3.0, 4.0, -0.125]",
        "singular_values float64 (2,) [" + Math.PI + ", " + Math.E + "]",
        "state_rng int64 () [-1234567890123]"), output.lines().toList());
  }
}
