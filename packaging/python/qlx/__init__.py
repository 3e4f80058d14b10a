"""qlx: explore the quantized latent space of QLAE models from a terminal.

The wheel carries the native program, not a Python library: qlx/bin/qlx with its models in
qlx/share/qlx, the same layout as the release tarball. `qlx` on PATH is this entry point,
which replaces itself with the program (no Python stays running).
"""

import os
import sys


def executable():
    """The path of the native qlx program inside this package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "qlx")


def main():
    program = executable()
    try:
        os.execv(program, ["qlx"] + sys.argv[1:])
    except OSError as error:
        sys.stderr.write("qlx: cannot run {}: {}\n".format(program, error.strerror))
        sys.exit(127)
