// QLXExplorer: see the target README.
