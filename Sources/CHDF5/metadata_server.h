// libhdf5 1.10's metadata parser trusts the file: crafted files made it read through a null
// pointer (a group's local heap), allocate gigabytes, loop, and corrupt its own heap so that a
// later, unrelated call crashed. So qlx makes no libhdf5 call in its own process. A server
// does, in a child process, one per open file: qlx sends fixed-size requests over a socket
// (open a file, describe a dataset, read a chunk's stored bytes) and reads fixed-size answers,
// a chunk's bytes following its answer; it decodes chunks and reads contiguous elements
// itself. A file that crashes or hangs libhdf5 ends only the server (each request has 30 s),
// and qlx reports it.
//
// Both ends are compiled from this header (qlx, and the fuzz walker Fuzz/hdf5walk.c), so the
// structs go over the socket as they are.
#ifndef QLX_HDF5_METADATA_SERVER_H
#define QLX_HDF5_METADATA_SERVER_H

#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { QLX_H5_MAX_RANK = 32, QLX_H5_MAX_FILTERS = 32, QLX_H5_MAX_TEXT = 4096, QLX_H5_SECONDS = 30 };

enum { QLX_H5_OPEN = 1, QLX_H5_DESCRIBE = 2, QLX_H5_READ_CHUNK = 3 };

typedef struct {
    int32_t operation;               // QLX_H5_OPEN, _DESCRIBE or _READ_CHUNK
    int32_t rank;                    // _READ_CHUNK: coordinates given (the chunk's first element)
    uint64_t coordinates[QLX_H5_MAX_RANK];
    char text[QLX_H5_MAX_TEXT];      // the file's path (_OPEN) or the dataset's name, NUL-ended
} qlx_h5_request;

enum { QLX_H5_ANSWERED = 0, QLX_H5_FAILED = 1, QLX_H5_NO_SUCH_NAME = 2, QLX_H5_NOT_A_DATASET = 3, QLX_H5_EXTERNAL_LINK = 4 };
enum { QLX_H5_CONTIGUOUS = 0, QLX_H5_CHUNKED = 1, QLX_H5_OTHER_LAYOUT = 2 };

typedef struct {
    int32_t status;                  // QLX_H5_ANSWERED, _FAILED, _NO_SUCH_NAME, _NOT_A_DATASET, _EXTERNAL_LINK
    // _DESCRIBE. Values are libhdf5's, unchecked: qlx checks them.
    int32_t rank;                    // dims and max_dims hold min(rank, QLX_H5_MAX_RANK) entries
    uint64_t dims[QLX_H5_MAX_RANK], max_dims[QLX_H5_MAX_RANK];
    char descriptor[8];              // numpy's ("<f8") for a standard number type, else ""
    int32_t layout;                  // QLX_H5_CONTIGUOUS, _CHUNKED or _OTHER_LAYOUT
    uint64_t offset;                 // contiguous: where the elements start; all ones: none
    int32_t chunk_rank;              // chunked: H5Pget_chunk's answer (the rank, or negative)
    uint64_t chunk[QLX_H5_MAX_RANK];
    int32_t filter_count;            // filters holds min(filter_count, QLX_H5_MAX_FILTERS) ids
    int32_t filters[QLX_H5_MAX_FILTERS];
    // _READ_CHUNK: its stored size; when it is written and no larger than the file, `size`
    // bytes follow the answer (larger: corrupt, and nothing follows).
    int32_t written, bytes_follow;
    uint32_t filter_mask;            // the filters not applied to it
    uint64_t size;
} qlx_h5_answer;

// Sends (`sending`) or receives `length` bytes whole; 0, or -1 when the other end has gone.
// Never raises SIGPIPE; retries after a signal interrupts (libFuzzer's timers do).
static inline int qlx_h5_transfer(int socket, void *bytes, size_t length, int sending) {
    char *at = (char *)bytes;
    while (length > 0) {
        ssize_t moved = sending ? send(socket, at, length, MSG_NOSIGNAL) : recv(socket, at, length, 0);
        if (moved < 0 && errno == EINTR) continue;
        if (moved <= 0) return -1;
        at += moved;
        length -= (size_t)moved;
    }
    return 0;
}

// Whether a link on the way to `name` (any of its /-separated prefixes) is external or
// user-defined: libhdf5 would follow it into another file and describe a dataset there, while
// qlx reads chunks and contiguous elements from this file at that dataset's offsets.
static inline int qlx_h5_leaves_file(hid_t file, const char *name) {
    char prefix[QLX_H5_MAX_TEXT];
    size_t length = strnlen(name, QLX_H5_MAX_TEXT - 1);
    for (size_t end = 1; end <= length; end++) {
        if (end < length && name[end] != '/') continue;
        memcpy(prefix, name, end);
        prefix[end] = 0;
        if (strcmp(prefix, "/") == 0) continue;
        H5L_info_t info;
        if (H5Lget_info(file, prefix, &info, H5P_DEFAULT) < 0) return 0;   // later calls report it
        if (info.type == H5L_TYPE_EXTERNAL || info.type >= H5L_TYPE_UD_MIN) return 1;
    }
    return 0;
}

// Whether `object` lives in `file` itself: a soft link can still lead through an external one.
static inline int qlx_h5_in_file(hid_t file, hid_t object) {
    hid_t owner = H5Iget_file_id(object);
    if (owner < 0) return 0;
    char opened[QLX_H5_MAX_TEXT], holding[QLX_H5_MAX_TEXT];
    ssize_t a = H5Fget_name(file, opened, sizeof opened), b = H5Fget_name(owner, holding, sizeof holding);
    H5Fclose(owner);
    return a >= 0 && b >= 0 && a < (ssize_t)sizeof opened && b < (ssize_t)sizeof holding && strcmp(opened, holding) == 0;
}

static inline void qlx_h5_describe(hid_t file, const char *name, qlx_h5_answer *answer) {
    answer->status = QLX_H5_FAILED;
    answer->offset = UINT64_MAX;
    if (file < 0) return;
    htri_t exists = H5Lexists(file, name, H5P_DEFAULT);
    if (exists <= 0) {
        if (exists == 0) answer->status = QLX_H5_NO_SUCH_NAME;
        return;
    }
    if (qlx_h5_leaves_file(file, name)) {
        answer->status = QLX_H5_EXTERNAL_LINK;
        return;
    }
    hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    if (dataset < 0) {
        answer->status = QLX_H5_NOT_A_DATASET;
        return;
    }
    if (!qlx_h5_in_file(file, dataset)) {
        H5Dclose(dataset);
        answer->status = QLX_H5_EXTERNAL_LINK;
        return;
    }
    hid_t space = H5Dget_space(dataset), type = H5Dget_type(dataset), properties = H5Dget_create_plist(dataset);
    int complete = space >= 0 && type >= 0 && properties >= 0;
    if (space >= 0) {
        answer->rank = H5Sget_simple_extent_ndims(space);
        if (answer->rank < 0 || answer->rank > QLX_H5_MAX_RANK ||
            H5Sget_simple_extent_dims(space, (hsize_t *)answer->dims, (hsize_t *)answer->max_dims) < 0) complete = 0;
    }
    if (type >= 0) {
        const char *descriptor = qlx_h5t_numpy_descriptor(type);
        if (descriptor) strncpy(answer->descriptor, descriptor, sizeof answer->descriptor - 1);
    }
    if (properties >= 0) {
        H5D_layout_t layout = H5Pget_layout(properties);
        answer->layout = layout == H5D_CONTIGUOUS ? QLX_H5_CONTIGUOUS : layout == H5D_CHUNKED ? QLX_H5_CHUNKED : QLX_H5_OTHER_LAYOUT;
        if (layout == H5D_CONTIGUOUS) answer->offset = H5Dget_offset(dataset);
        if (layout == H5D_CHUNKED && answer->rank > 0 && answer->rank <= QLX_H5_MAX_RANK) {
            answer->chunk_rank = H5Pget_chunk(properties, answer->rank, (hsize_t *)answer->chunk);
        }
        answer->filter_count = H5Pget_nfilters(properties);
        for (int i = 0; i < answer->filter_count && i < QLX_H5_MAX_FILTERS; i++) {
            answer->filters[i] = qlx_h5p_filter_id(properties, (unsigned)i);
        }
    }
    if (complete) answer->status = QLX_H5_ANSWERED;
    if (properties >= 0) H5Pclose(properties);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Dclose(dataset);
}

static inline herr_t qlx_h5_find_unallocated(unsigned depth, const H5E_error2_t *error, void *found) {
    (void)depth;
    if (error->desc && strstr(error->desc, "chunk storage is not allocated")) *(int *)found = 1;
    return 0;
}

// Whether the chunk at `coordinates` was never written. libhdf5 1.10's H5Dget_chunk_storage_size
// searches the index, finds no such chunk and fails, saying so on the error stack; another
// version may say it otherwise, and then the slow call (a walk of the whole index) tells a
// chunk never written from a damaged index, which ends the read anyway.
static inline int qlx_h5_never_written(hid_t dataset, const hsize_t *coordinates) {
    int unallocated = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, qlx_h5_find_unallocated, &unallocated);
    if (unallocated) return 1;
    unsigned mask = 0;
    haddr_t address = 0;
    hsize_t size = 0;
    return H5Dget_chunk_info_by_coord(dataset, coordinates, &mask, &address, &size) >= 0 && address == HADDR_UNDEF;
}

// The dataset read from last, kept open: reading an image's chunks one request at a time, an
// H5Dopen2 each would cost more than finding the chunk.
typedef struct {
    hid_t id;
    char name[QLX_H5_MAX_TEXT];
} qlx_h5_open_dataset;

static inline void qlx_h5_forget_dataset(qlx_h5_open_dataset *open) {
    if (open->id >= 0) H5Dclose(open->id);
    open->id = -1;
}

// The stored bytes of the chunk at request->coordinates, in *bytes (malloc'd) when they follow.
// libhdf5 1.10 finds a chunk's size and bytes by searching the chunk index (H5Dget_chunk_info_by_coord,
// the call that also gives its address, walks the whole index: 3 ms a chunk at 50,000 chunks).
static inline void qlx_h5_read_chunk(hid_t file, uint64_t file_size, qlx_h5_open_dataset *open,
                                     const qlx_h5_request *request, qlx_h5_answer *answer, void **bytes) {
    answer->status = QLX_H5_FAILED;
    if (file < 0 || request->rank < 1 || request->rank > QLX_H5_MAX_RANK) return;
    if (open->id < 0 || strcmp(open->name, request->text) != 0) {
        qlx_h5_forget_dataset(open);
        open->id = H5Dopen2(file, request->text, H5P_DEFAULT);
        strcpy(open->name, request->text);
    }
    hid_t dataset = open->id;
    if (dataset < 0) return;
    hid_t space = H5Dget_space(dataset);
    hsize_t coordinates[QLX_H5_MAX_RANK], size = 0;
    for (int i = 0; i < request->rank; i++) coordinates[i] = request->coordinates[i];
    // libhdf5 reads as many coordinates as the dataset has dimensions.
    if (space >= 0 && H5Sget_simple_extent_ndims(space) == request->rank &&
        (H5Dget_chunk_storage_size(dataset, coordinates, &size) >= 0 || qlx_h5_never_written(dataset, coordinates))) {
        answer->status = QLX_H5_ANSWERED;
        answer->size = size;
        answer->written = size > 0;
        if (size > 0 && size <= file_size) {
            uint32_t filter_mask = 0;
            *bytes = malloc(size);
            if (*bytes && H5Dread_chunk(dataset, H5P_DEFAULT, coordinates, &filter_mask, *bytes) >= 0) {
                answer->bytes_follow = 1;
                answer->filter_mask = filter_mask;
            } else {
                free(*bytes);
                *bytes = NULL;
                answer->status = QLX_H5_FAILED;
            }
        }
    }
    if (space >= 0) H5Sclose(space);
}

// Answers requests on `socket` until the other end closes it. Each request has `seconds`:
// past that, SIGALRM ends the server.
static inline void qlx_h5_serve(int socket, unsigned seconds) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);   // errors come back as return codes, not printed
    hid_t file = -1;
    uint64_t file_size = 0;
    qlx_h5_open_dataset reading = {-1, ""};
    qlx_h5_request request;
    while (qlx_h5_transfer(socket, &request, sizeof request, 0) == 0) {
        alarm(seconds);
        request.text[QLX_H5_MAX_TEXT - 1] = 0;
        qlx_h5_answer answer;
        memset(&answer, 0, sizeof answer);
        void *bytes = NULL;
        struct stat status;
        switch (request.operation) {
        case QLX_H5_OPEN:
            qlx_h5_forget_dataset(&reading);
            if (file >= 0) H5Fclose(file);
            file = stat(request.text, &status) == 0 ? H5Fopen(request.text, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
            file_size = file >= 0 ? (uint64_t)status.st_size : 0;
            answer.status = file >= 0 ? QLX_H5_ANSWERED : QLX_H5_FAILED;
            break;
        case QLX_H5_DESCRIBE: qlx_h5_describe(file, request.text, &answer); break;
        case QLX_H5_READ_CHUNK: qlx_h5_read_chunk(file, file_size, &reading, &request, &answer, &bytes); break;
        default: answer.status = QLX_H5_FAILED;
        }
        alarm(0);
        int sent = qlx_h5_transfer(socket, &answer, sizeof answer, 1) == 0 &&
                   (!answer.bytes_follow || qlx_h5_transfer(socket, bytes, answer.size, 1) == 0);
        free(bytes);
        if (!sent) break;
    }
    qlx_h5_forget_dataset(&reading);
    if (file >= 0) H5Fclose(file);
}

// Forks a server. Returns its process id and sets *socket to qlx's end, or returns -1.
static inline pid_t qlx_h5_start_server(int *socket) {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) return -1;
    pid_t child = fork();
    if (child < 0) {
        close(ends[0]);
        close(ends[1]);
        return -1;
    }
    if (child == 0) {
        // Die quietly by the signal: not through the Swift runtime's (or a sanitizer's) crash
        // report, which would read as if qlx itself had crashed.
        const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGALRM, SIGPIPE};
        for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
        int quiet = open("/dev/null", O_WRONLY);
        if (quiet >= 0) {
            dup2(quiet, STDOUT_FILENO);
            dup2(quiet, STDERR_FILENO);
        }
        // Keep only its own end: holding another server's socket (inherited from qlx), that
        // server would never see qlx close it.
        int keep = ends[1];
        if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) != 0) {
            for (int descriptor = keep + 1; descriptor < 4096; descriptor++) close(descriptor);   // kernels before 5.9
        }
        for (int descriptor = 3; descriptor < keep; descriptor++) close(descriptor);
        qlx_h5_serve(keep, QLX_H5_SECONDS);
        _exit(0);
    }
    close(ends[1]);
    *socket = ends[0];
    return child;
}

#endif
