// The hdf5 and npz fuzz targets' stand-in for HDF5File's forked metadata check (forking the
// sanitized fuzzer costs 30 ms an input; starting a process with libhdf5 loaded, 10 ms). A
// server, not sanitized: for each line "PATH<TAB>NAME<TAB>NAME..." on stdin it forks a child
// that makes libhdf5's metadata calls (shim.h's qlx_h5_walk) and answers one line on stdout:
// 0 when the child came through, else the signal that ended it.
#include <stdio.h>
#include <string.h>
#include "shim.h"

int main(void) {
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        const char *fields[16];
        int count = 0;
        for (char *field = strtok(line, "\t"); field && count < 16; field = strtok(NULL, "\t")) fields[count++] = field;
        if (count == 0) continue;
        int answer = qlx_h5_survives_metadata(fields[0], fields + 1, count - 1, 30);
        printf("%d\n", answer);
        fflush(stdout);
    }
    return 0;
}
