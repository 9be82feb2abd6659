package org.subspace.orchestrator.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where a running sweep reports: the event log, results.csv, the live status (read by the
 * status endpoint), and the outcome that completes when every stage is done or failed.
 */
public record SweepOutputs(EventLog events, ResultsLog results, Consumer<SweepStatus> status,
    CompletableFuture<SweepOutcome> outcome) {}
