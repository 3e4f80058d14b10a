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

// Whether `type` is exactly one of HDF5's standard numeric types (IEEE floats, two's-complement
// integers, either byte order). libhdf5 1.10 converts a malformed float description (say, a
// mantissa overlapping its exponent) without checking it and writes past its own buffer, so
// only these are read.
static inline int qlx_h5t_is_standard_number(hid_t type) {
    const hid_t standard[] = {
        H5T_IEEE_F32LE, H5T_IEEE_F32BE, H5T_IEEE_F64LE, H5T_IEEE_F64BE,
        H5T_STD_I8LE, H5T_STD_I8BE, H5T_STD_I16LE, H5T_STD_I16BE, H5T_STD_I32LE, H5T_STD_I32BE, H5T_STD_I64LE, H5T_STD_I64BE,
        H5T_STD_U8LE, H5T_STD_U8BE, H5T_STD_U16LE, H5T_STD_U16BE, H5T_STD_U32LE, H5T_STD_U32BE, H5T_STD_U64LE, H5T_STD_U64BE,
    };
    for (unsigned i = 0; i < sizeof standard / sizeof standard[0]; i++) {
        if (H5Tequal(type, standard[i]) > 0) return 1;
    }
    return 0;
}
