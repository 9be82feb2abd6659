package org.subspace.orchestrator.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import org.subspace.orchestrator.runtime.OperatorWarnings;
import org.subspace.protocol.BadInputException;
import org.subspace.workers.actors.CertifiedRoles;
import org.subspace.workers.actors.RoleCheckingSslEngineProvider;

/**
 * The configuration of one cluster node: its address, the seed it joins, its role, and
 * Artery TLS with mutual authentication from a folder holding {@code node.p12} (this node's key
 * and certificate, signed by the cluster's CA, its subject naming the node's role as OU) and
 * {@code truststore.p12} (the CA). Closed by
 * default: without TLS a node binds only a loopback address, unless it is told it may be open
 * ({@code insecure}); with TLS, the merged configuration must still say TLS, whatever a
 * {@code --config} file says.
 */
public final class ClusterConfig {
  public static final String SYSTEM_NAME = "subspace";
  /** Where the keystores' password is given: this variable, else a file beside them. */
  static final String PASSWORD_VARIABLE = "SUBSPACE_TLS_PASSWORD";
  static final String PASSWORD_FILE = "password";
  private static final String ARTERY = "akka.remote.artery.";
  private static final String SSL_ENGINE = ARTERY + "ssl.config-ssl-engine.";
  private static final String ROLE_CHECKING_PROVIDER = RoleCheckingSslEngineProvider.class.getName();

  private ClusterConfig() {}

  public static Config node(String role, String host, int port, String seed, Path tls, Path extra,
      boolean insecure) {
    Config config = ConfigFactory.empty()
        .withValue(ARTERY + "canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue(ARTERY + "canonical.port", ConfigValueFactory.fromAnyRef(port))
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
    Config merged = ConfigFactory.systemProperties().withFallback(config)
        .withFallback(ConfigFactory.parseResources("cluster.conf"))
        .withFallback(ConfigFactory.load()).resolve();
    if (tls != null) {
      checkTlsKept(merged, tls);
      checkCertificateRole(merged, tls, role);
      return merged;
    }
    // Without TLS: refused where others can reach it, unless told it may be open; then it says so.
    String address = boundAddress(merged);
    if (loopback(address)) {
      return merged;
    }
    if (!insecure) {
      throw new BadInputException("--host " + address + ": a node without --tls on a non-loopback address lets "
          + "anyone who reaches it join the cluster, run stages and read artifacts; give --tls DIR, or --insecure "
          + "to accept that");
    }
    return OperatorWarnings.with(merged, "--insecure: no TLS on " + address
        + ": any host that reaches this node can join the cluster, run stages and read artifacts");
  }

  /** With --tls, the merged configuration must still say mutual TLS with the role check. */
  private static void checkTlsKept(Config merged, Path tls) {
    String transport = merged.getString(ARTERY + "transport");
    boolean mutual = merged.getBoolean(SSL_ENGINE + "require-mutual-authentication");
    String provider = merged.getString(ARTERY + "ssl.ssl-engine-provider");
    if (!transport.equals("tls-tcp") || !mutual || !provider.equals(ROLE_CHECKING_PROVIDER)) {
      throw new BadInputException("--tls " + tls + ": the merged configuration says " + ARTERY + "transport = "
          + transport + ", require-mutual-authentication = " + mutual + " and ssl-engine-provider = " + provider
          + "; a --config file or -D setting must not turn mutual TLS or its role check off");
    }
  }

  /** One line on {@code err} for a node that runs without TLS on a non-loopback address (--insecure). */
  public static void warnIfOpen(PrintWriter err, Config node) {
    for (String warning : OperatorWarnings.of(node)) {
      err.println("warning: " + warning);
      err.flush();
    }
  }

  /** The address a node listens on: Artery's bind hostname, or its canonical one when none is set. */
  private static String boundAddress(Config node) {
    String bind = node.getString(ARTERY + "bind.hostname");
    return bind.isEmpty() ? node.getString(ARTERY + "canonical.hostname") : bind;
  }

  static boolean loopback(String address) {
    try {
      return InetAddress.getByName(address).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new BadInputException("--host " + address + ": unknown host");
    }
  }

  static Config tls(Path folder) {
    Path keyStore = folder.resolve("node.p12");
    Path trustStore = folder.resolve("truststore.p12");
    for (Path file : List.of(keyStore, trustStore)) {
      if (!Files.isRegularFile(file)) {
        throw new BadInputException(file + ": TLS keystore not found (--tls " + folder + "; see config/cluster/make-test-certs.sh)");
      }
    }
    String password = password(folder);
    return ConfigFactory.empty()
        .withValue(ARTERY + "transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue(ARTERY + "ssl.ssl-engine-provider", ConfigValueFactory.fromAnyRef(ROLE_CHECKING_PROVIDER))
        .withValue(SSL_ENGINE + "key-store", ConfigValueFactory.fromAnyRef(keyStore.toAbsolutePath().toString()))
        .withValue(SSL_ENGINE + "trust-store", ConfigValueFactory.fromAnyRef(trustStore.toAbsolutePath().toString()))
        .withValue(SSL_ENGINE + "key-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(SSL_ENGINE + "key-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(SSL_ENGINE + "trust-store-password", ConfigValueFactory.fromAnyRef(password))
        .withValue(SSL_ENGINE + "protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"))
        .withValue(SSL_ENGINE + "enabled-algorithms",
            ConfigValueFactory.fromIterable(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")))
        .withValue(SSL_ENGINE + "require-mutual-authentication", ConfigValueFactory.fromAnyRef(true));
  }

  /**
   * A node cannot claim a role its certificate does not give it (and were it to try, the
   * orchestrator's {@link RoleGuard} would down it). The key store checked is the one Artery
   * will use, with its password, as the merged configuration names them.
   */
  private static void checkCertificateRole(Config merged, Path folder, String role) {
    Path keyStore = Path.of(merged.getString(SSL_ENGINE + "key-store"));
    String named = certifiedRole(keyStore, merged.getString(SSL_ENGINE + "key-store-password"));
    if (!named.equals(role)) {
      throw new BadInputException("--tls " + folder + ": " + keyStore + " is a certificate for " + named
          + ", not for this node's role " + role);
    }
  }

  /** The cluster role the subject of the key store's certificate names (OU), or a one-line error. */
  private static String certifiedRole(Path keyStore, String password) {
    KeyStore store;
    try (InputStream in = Files.newInputStream(keyStore)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          Certificate certificate = store.getCertificate(alias);
          return CertifiedRoles.roleIn(certificate).orElseThrow(() -> new BadInputException(keyStore
              + ": the certificate's subject (" + ((X509Certificate) certificate).getSubjectX500Principal()
              + ") names no cluster role: it needs OU=" + CertifiedRoles.ORCHESTRATOR + " or OU="
              + CertifiedRoles.WORKER + " (see config/cluster/make-test-certs.sh)"));
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new BadInputException(keyStore + ": cannot read the key store (wrong password?): " + e.getMessage(), e);
    }
    throw new BadInputException(keyStore + ": holds no key and certificate");
  }

  /** The keystores' password: $SUBSPACE_TLS_PASSWORD, else the first line of DIR/password; never a default. */
  private static String password(Path folder) {
    String variable = System.getenv(PASSWORD_VARIABLE);
    if (variable != null && !variable.isEmpty()) {
      return variable;
    }
    Path file = folder.resolve(PASSWORD_FILE);
    if (!Files.isRegularFile(file)) {
      throw new BadInputException("--tls " + folder + ": the keystores' password is needed: set "
          + PASSWORD_VARIABLE + " or put it in " + file);
    }
    try {
      return Files.readAllLines(file).stream().findFirst().orElse("").strip();
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read the keystores' password: " + e.getMessage(), e);
    }
  }
}
