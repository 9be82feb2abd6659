package org.subspace.workers.actors;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.typesafe.config.Config;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The cluster role each peer's certificate names, as the TLS handshakes of this node's outbound
 * connections found it (see {@link RoleCheckingSslEngineProvider}): a node's certificate says
 * in its subject's OU whether it is the {@value #ORCHESTRATOR} or a {@value #WORKER}, and only
 * what the certificate says counts, never the role a node claims when it joins. Without TLS
 * there is nothing to check and every node is taken at its word (the cluster runs on loopback,
 * or was started with --insecure).
 *
 * <p>The registry is written by the transport's handshakes and read by actors, the way the
 * cluster's own membership state is; it only ever maps an address to what its last handshake
 * showed.
 */
public final class CertifiedRoles implements Extension {
  public static final String ORCHESTRATOR = "orchestrator";
  public static final String WORKER = "worker";
  /** The roles a cluster node's certificate may name. */
  public static final Set<String> CLUSTER_ROLES = Set.of(ORCHESTRATOR, WORKER);

  private static final ExtensionId<CertifiedRoles> ID = new ExtensionId<>() {
    @Override
    public CertifiedRoles createExtension(ActorSystem<?> system) {
      return new CertifiedRoles(system);
    }
  };

  public static CertifiedRoles get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final boolean tls;
  /** host:port of a peer's canonical address, to the role its certificate names. */
  private final Map<String, String> roles = new ConcurrentHashMap<>();

  private CertifiedRoles(ActorSystem<?> system) {
    // From the configuration, not the system's address: Artery's TLS provider asks while the
    // system is still starting.
    Config config = system.settings().config();
    this.tls = !config.getString("akka.actor.provider").equals("local")
        && "tls-tcp".equals(config.getString("akka.remote.artery.transport"));
  }

  /** Whether checks apply: the node runs Artery under TLS. */
  public boolean enforced() {
    return tls;
  }

  /**
   * Whether {@code ref} lives on this node, or on a node whose certificate names one of
   * {@code allowed}: a request whose answer goes to {@code ref} is answered only then.
   */
  public boolean mayAnswer(ActorRef<?> ref, Set<String> allowed) {
    Address address = ref.path().address();
    return !tls || address.hasLocalScope() || roleOf(address).filter(allowed::contains).isPresent();
  }

  /** Why {@code ref} was not answered, for the log: what its node's certificate names instead of {@code allowed}. */
  public String refusal(ActorRef<?> ref, Set<String> allowed) {
    Address address = ref.path().address();
    return address + ": its node's certificate names role " + roleOf(address).orElse("(none seen)") + ", not one of "
        + allowed;
  }

  /** The role the certificate of the node at {@code address} names, once a handshake showed it. */
  public Optional<String> roleOf(Address address) {
    if (address.getHost().isEmpty() || address.getPort().isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(roles.get(address.getHost().get() + ":" + address.getPort().get()));
  }

  void record(String host, int port, String role) {
    roles.put(host + ":" + port, role);
  }

  /** The role a certificate's subject names in its OU, if it names one of {@link #CLUSTER_ROLES}. */
  public static Optional<String> roleIn(Certificate certificate) {
    if (!(certificate instanceof X509Certificate x509)) {
      return Optional.empty();
    }
    try {
      for (Rdn rdn : new LdapName(x509.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("OU") && CLUSTER_ROLES.contains(String.valueOf(rdn.getValue()))) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
