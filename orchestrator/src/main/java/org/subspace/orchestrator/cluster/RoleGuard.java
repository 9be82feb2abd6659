package org.subspace.orchestrator.cluster;

import akka.actor.Address;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Subscribe;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.subspace.workers.actors.CertifiedRoles;

/**
 * On the orchestrator's node under TLS: every member that comes up must claim exactly the
 * cluster role its certificate names, or it is downed. A node with a worker's certificate thus
 * cannot become the orchestrator, nor one with no node certificate a worker. The certificate is
 * the one the orchestrator's own connection to the member's address was shown; a member whose
 * address presented none within {@link #PATIENCE} is downed too.
 */
public final class RoleGuard extends AbstractBehavior<RoleGuard.Command> {
  static final Duration PATIENCE = Duration.ofSeconds(10);
  private static final Duration RECHECK = Duration.ofMillis(250);

  public sealed interface Command {}

  private record MemberUp(ClusterEvent.MemberUp event) implements Command {}

  /** Look again at a member whose certificate no handshake has shown yet. */
  private record Recheck(Member member, long deadline) implements Command {}

  public static Behavior<Command> create() {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RoleGuard(context, timers)));
  }

  private final TimerScheduler<Command> timers;
  private final Cluster cluster;
  private final CertifiedRoles certified;

  private RoleGuard(ActorContext<Command> context, TimerScheduler<Command> timers) {
    super(context);
    this.timers = timers;
    this.cluster = Cluster.get(context.getSystem());
    this.certified = CertifiedRoles.get(context.getSystem());
    cluster.subscriptions().tell(Subscribe.create(context.messageAdapter(ClusterEvent.MemberUp.class, MemberUp::new),
        ClusterEvent.MemberUp.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(MemberUp.class, up -> check(up.event().member(), System.nanoTime() + PATIENCE.toNanos()))
        .onMessage(Recheck.class, recheck -> check(recheck.member(), recheck.deadline()))
        .build();
  }

  private Behavior<Command> check(Member member, long deadline) {
    Address address = member.address();
    if (address.equals(cluster.selfMember().address())) {
      return this;
    }
    Set<String> claimed = new TreeSet<>(member.getRoles());
    claimed.retainAll(CertifiedRoles.CLUSTER_ROLES);
    Optional<String> named = certified.roleOf(address);
    if (named.isEmpty()) {
      if (System.nanoTime() < deadline) {
        timers.startSingleTimer(address, new Recheck(member, deadline), RECHECK);
      } else {
        down(address, "claims " + claimed + " but no TLS handshake with it showed a node certificate within "
            + PATIENCE.toSeconds() + " s");
      }
    } else if (!claimed.equals(Set.of(named.get()))) {
      down(address, "claims " + claimed + " but its certificate names role " + named.get());
    }
    return this;
  }

  private void down(Address address, String why) {
    getContext().getLog().error("downing cluster member {}: it {}", address, why);
    cluster.manager().tell(new Down(address));
  }
}
