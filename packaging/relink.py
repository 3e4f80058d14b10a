"""Links qlx again from the release build's objects, statically (used by scripts/package).

Usage: relink.py MANIFEST STATIC_DIR OUTPUT

MANIFEST is SwiftPM's build manifest of the release build (.build/release.yaml); the link
command it holds for the qlx executable is run again with:
- -static-stdlib, and the archive STATIC_DIR/libqlx_swift_static.a (a linker script grouping
  every archive of the static Swift runtime: objects compiled for the shared runtime autolink
  only Foundation, not the libraries behind it);
- STATIC_DIR first on the search path, its libX.a standing in for the C libraries; the system
  folders pkg-config added (where -lX would find the shared library) left out;
- no $ORIGIN run path (nothing is looked up beside the binary);
- OUTPUT as the file written, so the source build's binary stays as it is.
"""

import json
import re
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: relink.py MANIFEST STATIC_DIR OUTPUT")
    manifest, static, output = sys.argv[1:]
    try:
        text = open(manifest).read()
    except OSError as error:
        sys.exit("relink.py: cannot read {}: {}".format(manifest, error.strerror))
    found = re.search(r'^  "C\.qlx-[^"]*\.exe":\n(?:    .*\n)*?    args: (\[.*\])$', text, re.M)
    if not found:
        sys.exit("relink.py: no link command for qlx in " + manifest)
    args = json.loads(found.group(1))
    link = [args[0], "-L", static, "-static-stdlib"]
    i = 1
    while i < len(args):
        arg = args[i]
        if arg.startswith("-L") and arg != "-L":
            i += 1
        elif arg == "-o":
            link += ["-o", output]
            i += 2
        elif arg == "-Xlinker" and i + 1 < len(args) and args[i + 1].startswith("-rpath"):
            i += 2
        else:
            link.append(arg)
            i += 1
    link.append("-lqlx_swift_static")
    result = subprocess.run(link, stderr=subprocess.PIPE, text=True)
    # Foundation's static archive warns about its own use of mktemp: not ours to act on.
    sys.stderr.write("".join(line + "\n" for line in result.stderr.splitlines() if "mktemp" not in line))
    if result.returncode != 0:
        sys.exit("relink.py: the link failed (status {})".format(result.returncode))


main()
