"""`python -m qlx ARGS…` runs the native program, like `qlx ARGS…`."""

from qlx import main

main()
