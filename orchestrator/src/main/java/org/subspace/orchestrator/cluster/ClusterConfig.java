package org.subspace.orchestrator.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.subspace.protocol.BadInputException;

/**
 * The configuration of one cluster node: its address, the seed it joins, its role, and
 * optionally Artery TLS with mutual authentication from a folder holding {@code node.p12} (this
 * node's key and certificate, signed by the cluster's CA) and {@code truststore.p12} (the CA).
 */
public final class ClusterConfig {
  public static final String SYSTEM_NAME = "subspace";
  /** The keystores' password: SUBSPACE_TLS_PASSWORD, else the test scripts' default. */
  static final String DEFAULT_TLS_PASSWORD = "changeit";

  private ClusterConfig() {}

  public static Config node(String role, String host, int port, String seed, Path tls, Path extra) {
    Config config = ConfigFactory.empty()
        .withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(List.of(role)))
        .withValue("akka.cluster.seed-nodes",
            ConfigValueFactory.fromIterable(List.of("akka://" + SYSTEM_NAME + "@" + seed)));
    if (tls != null) {
      config = tls(tls).withFallback(config);
    }
    if (extra != null) {
      if (!Files.isRegularFile(extra)) {
        throw new BadInputException(extra + ": cluster config file not found (--config)");
      }
      config = ConfigFactory.parseFile(extra.toFile()).withFallback(config);
    }
    return ConfigFactory.systemProperties().withFallback(config)
        .withFallback(ConfigFactory.parseResources("cluster.conf"))
        .withFallback(ConfigFactory.load()).resolve();
  }

  static Config tls(Path folder) {
    Path keyStore = folder.resolve("node.p12");
    Path trustStore = folder.resolve("truststore.p12");
    for (Path file : List.of(keyStore, trustStore)) {
      if (!Files.isRegularFile(file)) {
        throw new BadInputException(file + ": TLS keystore not found (--tls " + folder + "; see config/cluster/make-test-certs.sh)");
      }
    }
    String password = System.getenv().getOrDefault("SUBSPACE_TLS_PASSWORD", DEFAULT_TLS_PASSWORD);
    String prefix = "akka.remote.artery.ssl.config-ssl-engine.";
    return ConfigFactory.empty()
        .withValue("akka.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue(prefix + "key-store", ConfigValueFactory.fromAnyRef(keyStore.toAbsolutePath().toString()))
        .withValue(prefix + "trust-store", ConfigValueFactory.fromAnyRef(trustStore.toAbsolutePath().toString()))
        .withValue(prefix + "key-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(prefix + "key-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(prefix + "trust-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(prefix + "protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"))
        .withValue(prefix + "enabled-algorithms",
            ConfigValueFactory.fromIterable(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")))
        .withValue(prefix + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true));
  }
}
