// The hdf5 and npz fuzz targets' metadata server (HDF5MetadataServer.start forks one per file;
// forking the sanitized fuzzer costs 30 ms an input, so the harness spawns this one and keeps
// it across inputs). Not sanitized: libhdf5's faults are the server's, and a crash here is
// reported by qlx as a file libhdf5 cannot read, as in qlx itself. It answers requests on the
// socket it is given as its standard input (metadata_server.h).
#include "metadata_server.h"

int main(void) {
    qlx_h5_serve(STDIN_FILENO);
    return 0;
}
