package org.subspace.workers.actors;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.remote.artery.tcp.SSLEngineProvider;
import akka.stream.TLSClosing;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import com.typesafe.config.Config;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import scala.jdk.javaapi.OptionConverters;

/**
 * Where a node's artifact bytes travel: TCP at Artery's hostnames (bound at its bind hostname,
 * advertised as its canonical one; loopback for a node without remoting), under the same TLS
 * as Artery when its transport is {@code tls-tcp}: the same keystore, truststore, protocol,
 * ciphers and mutual authentication, so a peer that cannot join the cluster cannot open a
 * transfer either.
 */
record TransferEndpoint(String bindHost, String advertisedHost, int port, SSLEngineProvider sslEngines) {
  private static final String ARTERY = "akka.remote.artery.";

  static TransferEndpoint of(ActorSystem<?> system, int port) {
    Config config = system.settings().config();
    String advertised = system.address().getHost().orElse("127.0.0.1");
    String bind = config.hasPath(ARTERY + "bind.hostname") && !config.getString(ARTERY + "bind.hostname").isEmpty()
        ? config.getString(ARTERY + "bind.hostname") : advertised;
    boolean remote = system.address().getHost().isPresent();
    SSLEngineProvider tls = remote && "tls-tcp".equals(config.getString(ARTERY + "transport"))
        ? sslEngineProvider(system, config.getString(ARTERY + "ssl.ssl-engine-provider")) : null;
    return new TransferEndpoint(bind, advertised, port, tls);
  }

  /** The provider Artery itself is configured with, built the way Artery builds it. */
  private static SSLEngineProvider sslEngineProvider(ActorSystem<?> system, String className) {
    try {
      return (SSLEngineProvider) Class.forName(className).getConstructor(akka.actor.ActorSystem.class)
          .newInstance(Adapter.toClassic(system));
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("akka.remote.artery.ssl.ssl-engine-provider: cannot create " + className
          + " for artifact transfers: " + e, e);
    }
  }

  boolean tls() {
    return sslEngines != null;
  }

  Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>> bind(ActorSystem<?> system) {
    Tcp tcp = Tcp.get(system);
    if (sslEngines == null) {
      return tcp.bind(bindHost, port);
    }
    return tcp.bindWithTls(bindHost, port, () -> sslEngines.createServerSSLEngine(bindHost, port), 100, List.of(),
        Optional.empty(), session -> OptionConverters.toJava(sslEngines.verifyServerSession(bindHost, session)),
        TLSClosing.eagerClose());
  }

  /** A connection to another node's artifact port; it fails after {@code idle} without a byte either way. */
  Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> connect(ActorSystem<?> system, String host,
      int port, Duration idle) {
    Tcp tcp = Tcp.get(system);
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (sslEngines == null) {
      return tcp.outgoingConnection(address, Optional.empty(), List.of(), true, Optional.of(idle), Optional.of(idle));
    }
    return tcp.outgoingConnectionWithTls(address, () -> sslEngines.createClientSSLEngine(host, port),
        Optional.empty(), List.of(), Optional.of(idle), Optional.of(idle),
        session -> OptionConverters.toJava(sslEngines.verifyClientSession(host, session)),
        TLSClosing.eagerClose());
  }
}
