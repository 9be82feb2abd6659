package org.subspace.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.subspace.orchestrator.runtime.OperatorWarnings;

/** A node told it may be open (--insecure) says so at start and carries the warning to /status. */
class ClusterConfigTest {
  @Test
  void anOpenNodeCarriesItsWarningAndALoopbackOneNone() {
    Config open = ClusterConfig.node(ClusterGuardian.ORCHESTRATOR_ROLE, "10.255.255.1", 25520, "10.255.255.1:25520",
        null, null, true);
    List<String> warnings = OperatorWarnings.of(open);
    assertEquals(1, warnings.size(), warnings.toString());
    String warning = warnings.get(0);
    assertTrue(warning.startsWith("--insecure: no TLS on 10.255.255.1: any host that reaches this node can join"),
        warning);
    StringWriter err = new StringWriter();
    ClusterConfig.warnIfOpen(new PrintWriter(err, true), open);
    assertEquals("warning: " + warning, err.toString().strip());

    Config loopback = ClusterConfig.node(ClusterGuardian.WORKER_ROLE, "127.0.0.1", 0, "127.0.0.1:25520", null, null,
        false);
    assertEquals(List.of(), OperatorWarnings.of(loopback));
  }
}
