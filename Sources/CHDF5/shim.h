// HDF5's C library (Debian's libhdf5-dev, serial build), for reading Shapes3D-style .h5 files
// by hyperslab. H5T_NATIVE_* and H5P_DEFAULT are macros Swift cannot import; the inline
// functions below hand their values over.
#include <hdf5.h>

static inline hid_t qlx_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t qlx_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t qlx_h5p_default(void) { return H5P_DEFAULT; }
static inline unsigned qlx_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline hid_t qlx_h5s_all(void) { return H5S_ALL; }
static inline hid_t qlx_h5e_default(void) { return H5E_DEFAULT; }

// The numpy descriptor ("<f8", ">i2", "|u1") of `type` when it is exactly one of HDF5's
// standard numeric types (IEEE floats, two's-complement integers, either byte order), else
// NULL. libhdf5 1.10 converts a malformed float description (a mantissa overlapping its
// exponent) without checking it and writes past its own buffer, so qlx reads only these, and
// converts them itself (QLXData's NpyDType).
static inline const char *qlx_h5t_numpy_descriptor(hid_t type) {
    const struct { hid_t type; const char *descriptor; } standard[] = {
        {H5T_IEEE_F32LE, "<f4"}, {H5T_IEEE_F32BE, ">f4"}, {H5T_IEEE_F64LE, "<f8"}, {H5T_IEEE_F64BE, ">f8"},
        {H5T_STD_I8LE, "|i1"}, {H5T_STD_I8BE, "|i1"}, {H5T_STD_U8LE, "|u1"}, {H5T_STD_U8BE, "|u1"},
        {H5T_STD_I16LE, "<i2"}, {H5T_STD_I16BE, ">i2"}, {H5T_STD_U16LE, "<u2"}, {H5T_STD_U16BE, ">u2"},
        {H5T_STD_I32LE, "<i4"}, {H5T_STD_I32BE, ">i4"}, {H5T_STD_U32LE, "<u4"}, {H5T_STD_U32BE, ">u4"},
        {H5T_STD_I64LE, "<i8"}, {H5T_STD_I64BE, ">i8"}, {H5T_STD_U64LE, "<u8"}, {H5T_STD_U64BE, ">u8"},
    };
    for (unsigned i = 0; i < sizeof standard / sizeof standard[0]; i++) {
        if (H5Tequal(type, standard[i].type) > 0) return standard[i].descriptor;
    }
    return NULL;
}

// The id of filter `index` of a dataset creation property list (H5Z_FILTER_DEFLATE, ...), or
// a negative value; its parameters are not needed.
static inline int qlx_h5p_filter_id(hid_t properties, unsigned index) {
    unsigned flags = 0, config = 0;
    size_t parameters = 0;
    return (int)H5Pget_filter2(properties, index, &flags, &parameters, NULL, 0, NULL, &config);
}

// libhdf5 1.10's metadata parser trusts the file: crafted files make it read through a null
// pointer (a local heap's size), allocate gigabytes, or loop. qlx therefore first makes every
// metadata call it will make on a dataset file in a forked child, in C (no Swift runtime state
// shared with other threads is touched there), and only opens the file itself when the child
// came through. libhdf5 is deterministic, so the same calls on the same bytes then succeed in
// the parent too. The child stops itself after `seconds`.
// Returns 0 when the child finished (whatever libhdf5 said), else the signal that ended it,
// or -1 when no child could be started.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void qlx_h5_walk_dataset(hid_t file, const char *name) {
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return;
    hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    if (dataset < 0) return;
    hid_t space = H5Dget_space(dataset), type = H5Dget_type(dataset), plist = H5Dget_create_plist(dataset);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (type >= 0) { (void)qlx_h5t_numpy_descriptor(type); (void)H5Tget_class(type); (void)H5Tget_size(type); }
    (void)H5Dget_offset(dataset);
    if (rank > 0 && rank <= 8 && plist >= 0) {
        hsize_t dims[8], max_dims[8], chunk[8];
        H5Sget_simple_extent_dims(space, dims, max_dims);
        int filters = H5Pget_nfilters(plist);
        for (int i = 0; i < filters && i < 32; i++) (void)qlx_h5p_filter_id(plist, (unsigned)i);
        if (H5Pget_layout(plist) == H5D_CHUNKED && H5Pget_chunk(plist, rank, chunk) == rank) {
            // Counting the chunks walks the whole chunk index once, every node of it. libhdf5
            // 1.10 finds a chunk by coordinate by iterating that index too, along another path,
            // so the first and the last chunk are looked up as well (the last: a whole pass).
            hsize_t chunks = 0, first[8], last[8];
            (void)H5Dget_num_chunks(dataset, space, &chunks);
            for (int a = 0; a < rank; a++) {
                first[a] = 0;
                last[a] = dims[a] > 0 && chunk[a] > 0 ? (dims[a] - 1) / chunk[a] * chunk[a] : 0;
            }
            unsigned mask = 0; haddr_t address = 0; hsize_t size = 0;
            (void)H5Dget_chunk_info_by_coord(dataset, first, &mask, &address, &size);
            (void)H5Dget_chunk_info_by_coord(dataset, last, &mask, &address, &size);
        }
    }
    if (plist >= 0) H5Pclose(plist);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Dclose(dataset);
}

// Every metadata call qlx makes on the datasets `names` of the file at `path`.
static inline void qlx_h5_walk(const char *path, const char *const *names, int count) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0) return;
    for (int i = 0; i < count; i++) qlx_h5_walk_dataset(file, names[i]);
    H5Fclose(file);
}

static inline int qlx_h5_survives_metadata(const char *path, const char *const *names, int count, unsigned seconds) {
    pid_t child = fork();
    if (child < 0) return -1;
    if (child == 0) {
        // Die quietly by the signal: not through the Swift runtime's (or a sanitizer's)
        // crash report, which the parent would print as if qlx itself had crashed.
        const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
        for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
        int quiet = open("/dev/null", O_WRONLY);
        if (quiet >= 0) { dup2(quiet, STDOUT_FILENO); dup2(quiet, STDERR_FILENO); }
        alarm(seconds);
        qlx_h5_walk(path, names, count);
        _exit(0);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}
