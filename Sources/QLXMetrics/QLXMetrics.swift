// QLXMetrics: see the target README.
