// QLXData: see the target README.
