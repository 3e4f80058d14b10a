// HDF5's C library (Debian's libhdf5-dev, serial build), used only by the metadata server
// (metadata_server.h), never in qlx's own process.
#ifndef QLX_HDF5_SHIM_H
#define QLX_HDF5_SHIM_H

#include <hdf5.h>

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

#endif
