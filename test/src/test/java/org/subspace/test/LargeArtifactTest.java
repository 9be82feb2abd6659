package org.subspace.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.subspace.orchestrator.bench.TransferBench;

/**
 * An artifact beyond 2^31 bytes, through the public store API and the real transfer, between
 * two node JVMs whose heaps (512 MB) are a quarter of the artifact: nothing may hold it whole.
 */
class LargeArtifactTest {
  @TempDir Path dir;

  @Test
  void anArtifactOverTwoGibibytesIsWrittenVerifiedReadBackAndMovedWithSmallHeaps() throws Exception {
    TransferBench.Result r = TransferBench.run(dir, 2_200_000_000L, "512m", null);
    System.out.printf("2.2 GB artifact: %.0f MB/s; serve heap %.0f MB, RSS %.0f MB; pull heap %.0f MB, RSS %.0f MB%n",
        r.megabytesPerSecond(), r.serveHeapMb(), r.serveRssMb(), r.pullHeapMb(), r.pullRssMb());
    assertTrue(r.bytes() > (1L << 31), r.bytes() + " bytes");
    assertEquals(r.rowsWritten(), r.rowsReadBack(), "every row reads back as written");
    assertEquals(r.servedSha256(), r.pulledSha256(), "the receiving store holds the same bytes");
    assertTrue(r.pullHeapMb() <= 512 && r.serveHeapMb() <= 512, "both heaps stayed within -Xmx512m");
  }
}
