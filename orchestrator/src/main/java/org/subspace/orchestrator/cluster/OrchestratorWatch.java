package org.subspace.orchestrator.cluster;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import akka.cluster.typed.Subscribe;
import java.util.stream.StreamSupport;

/**
 * On a worker node: when the last orchestrator leaves the cluster (its sweep ended, or it was
 * stopped), this node leaves too. Its actor system then terminates and the worker command starts
 * afresh and joins the seed again, so the next orchestrator on that address finds its workers.
 * (An orchestrator that crashes is handled by Split Brain Resolver, which downs the workers.)
 */
public final class OrchestratorWatch extends AbstractBehavior<ClusterEvent.MemberRemoved> {

  public static Behavior<ClusterEvent.MemberRemoved> create() {
    return Behaviors.setup(OrchestratorWatch::new);
  }

  private final Cluster cluster;

  private OrchestratorWatch(ActorContext<ClusterEvent.MemberRemoved> context) {
    super(context);
    cluster = Cluster.get(context.getSystem());
    cluster.subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberRemoved.class));
  }

  @Override
  public Receive<ClusterEvent.MemberRemoved> createReceive() {
    return newReceiveBuilder().onMessage(ClusterEvent.MemberRemoved.class, this::onRemoved).build();
  }

  private Behavior<ClusterEvent.MemberRemoved> onRemoved(ClusterEvent.MemberRemoved removed) {
    boolean orchestratorLeft = removed.member().hasRole(ClusterGuardian.ORCHESTRATOR_ROLE);
    boolean anotherRemains = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .anyMatch(m -> m.hasRole(ClusterGuardian.ORCHESTRATOR_ROLE) && m.status() == MemberStatus.up());
    if (orchestratorLeft && !anotherRemains) {
      getContext().getLog().info("the orchestrator {} left; leaving to join its successor", removed.member().address());
      cluster.manager().tell(Leave.create(cluster.selfMember().address()));
    }
    return this;
  }
}
