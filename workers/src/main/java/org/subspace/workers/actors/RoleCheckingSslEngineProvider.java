package org.subspace.workers.actors;

import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.remote.artery.tcp.ConfigSSLEngineProvider;
import akka.remote.artery.tcp.SslTransportException;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import scala.Option;

/**
 * Artery's TLS (keystores, protocol, ciphers and mutual authentication from
 * {@code akka.remote.artery.ssl.config-ssl-engine}), and after every handshake a check that the
 * peer's certificate names a cluster role: a certificate from the cluster's authority that is
 * not a node's (no OU of orchestrator or worker) opens no connection either way. The role each
 * outbound peer's certificate names is kept in {@link CertifiedRoles}, where the actors that
 * assign work, pull artifacts or register workers look it up.
 */
public final class RoleCheckingSslEngineProvider extends ConfigSSLEngineProvider {
  private final CertifiedRoles roles;

  public RoleCheckingSslEngineProvider(ActorSystem system) {
    super(system);
    this.roles = CertifiedRoles.get(Adapter.toTyped(system));
  }

  /** Our outbound connection to {@code hostname}: what the peer's certificate names is its role. */
  @Override
  public Option<Throwable> verifyClientSession(String hostname, SSLSession session) {
    Optional<String> role = peerRole(session);
    if (role.isEmpty()) {
      return Option.apply(refused(hostname + ":" + session.getPeerPort(), session));
    }
    roles.record(hostname, session.getPeerPort(), role.get());
    return Option.empty();
  }

  /** A connection to us: its certificate must be a cluster node's. */
  @Override
  public Option<Throwable> verifyServerSession(String hostname, SSLSession session) {
    return peerRole(session).isPresent() ? Option.empty()
        : Option.apply(refused(session.getPeerHost() + ":" + session.getPeerPort(), session));
  }

  private static Optional<String> peerRole(SSLSession session) {
    try {
      return CertifiedRoles.roleIn(session.getPeerCertificates()[0]);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static SslTransportException refused(String peer, SSLSession session) {
    String subject;
    try {
      subject = String.valueOf(session.getPeerPrincipal());
    } catch (SSLPeerUnverifiedException e) {
      subject = "no certificate";
    }
    return new SslTransportException("TLS peer " + peer + " (" + subject + ") has no certificate for a cluster "
        + "role (OU=" + CertifiedRoles.ORCHESTRATOR + " or OU=" + CertifiedRoles.WORKER + "): connection refused", null);
  }
}
