// QLXTraining: see the target README.
