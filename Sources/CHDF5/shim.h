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
