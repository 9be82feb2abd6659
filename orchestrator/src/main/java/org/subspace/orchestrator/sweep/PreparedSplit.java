package org.subspace.orchestrator.sweep;

import org.subspace.workers.data.RegressionData;
import org.subspace.workers.data.Table;

/** One split of a dataset, ready to train on, with the table it came from (for plots). */
public record PreparedSplit(String label, Table source, RegressionData data) {}
