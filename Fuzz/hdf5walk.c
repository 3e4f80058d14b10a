// The hdf5 and npz fuzz targets' metadata server (HDF5MetadataServer.start forks one per file;
// forking the sanitized fuzzer costs 30 ms an input, so the harness spawns this one and keeps
// it across inputs). Not sanitized: libhdf5's faults are the server's, and a crash here is
// reported by qlx as a file libhdf5 cannot read, as in qlx itself. It answers requests on the
// socket it is given as its standard input (metadata_server.h).
//
// Serving one input after another, it can inherit a heap that libhdf5 damaged on an earlier
// file (glibc then reports "malloc(): invalid size" and may wedge in a lock), which qlx's
// fresh server per file never does; 5 s a request instead of qlx's 30 s ends such a server
// before libFuzzer's 10 s timeout would blame the next input.
#include "metadata_server.h"

int main(void) {
    qlx_h5_serve(STDIN_FILENO, 5);
    return 0;
}
