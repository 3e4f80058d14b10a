import CHDF5
import Foundation

/// A read-only HDF5 file (Shapes3D's `3dshapes.h5`) through the HDF5 C library. Datasets are
/// read by hyperslab, a row range at a time, never whole; the library's chunk cache makes
/// neighbouring reads cheap. HDF5 is not thread-safe in Debian's serial build, so every call
/// holds one process-wide lock.
public final class HDF5File: @unchecked Sendable {
    public let path: String
    private let file: hid_t
    static let lock = NSLock()

    public init(path: String) throws {
        self.path = path
        let id: hid_t = HDF5File.lock.withLock {
            H5Eset_auto2(qlx_h5e_default(), nil, nil)   // errors come back as return codes, not printed
            return H5Fopen(path, qlx_h5f_acc_rdonly(), qlx_h5p_default())
        }
        guard id >= 0 else {
            throw DataError.datasetFileInvalid(path: path, expected: "an HDF5 file", found: "a file HDF5 cannot open")
        }
        file = id
    }

    deinit { _ = HDF5File.lock.withLock { H5Fclose(file) } }

    public func contains(_ name: String) -> Bool {
        HDF5File.lock.withLock { H5Lexists(file, name, qlx_h5p_default()) > 0 }
    }

    /// The dimensions of dataset `name`.
    public func shape(of name: String) throws -> [Int] {
        try withDataset(name) { dataset, space in
            let rank = Int(H5Sget_simple_extent_ndims(space))
            guard rank > 0 else { throw invalid("dataset '\(name)' with at least one dimension", "rank \(rank)") }
            var dims = [hsize_t](repeating: 0, count: rank)
            H5Sget_simple_extent_dims(space, &dims, nil)
            guard dims.allSatisfy({ $0 <= UInt64(Int.max) }) else {
                throw invalid("dataset '\(name)' with dimensions below 2⁶³", "\(dims)")
            }
            return dims.map { Int($0) }
        }
    }

    /// Rows [start, start + count) of dataset `name` (first dimension), converted by HDF5 to
    /// uint8 (`asBytes`) or float64, into `out` (count × the product of the other dimensions).
    public func readRows(_ name: String, start: Int, count: Int, rowShape: [Int], asBytes: Bool,
                         into out: UnsafeMutableRawPointer) throws {
        try withDataset(name) { dataset, space in
            var offset = [hsize_t(start)] + rowShape.map { _ in hsize_t(0) }
            var extent = [hsize_t(count)] + rowShape.map { hsize_t($0) }
            guard H5Sselect_hyperslab(space, H5S_SELECT_SET, &offset, nil, &extent, nil) >= 0 else {
                throw invalid("rows \(start)..<\(start + count) of '\(name)'", "a selection HDF5 refuses")
            }
            let memory = H5Screate_simple(Int32(extent.count), &extent, nil)
            defer { H5Sclose(memory) }
            let type = asBytes ? qlx_h5t_native_uint8() : qlx_h5t_native_double()
            guard H5Dread(dataset, type, memory, space, qlx_h5p_default(), out) >= 0 else {
                throw invalid("readable rows \(start)..<\(start + count) of '\(name)'", "a read error (truncated or corrupt file?)")
            }
        }
    }

    /// Where dataset `name`'s elements start in the file, when they are stored there as one
    /// plain block (contiguous layout, no compression or other filters, allocated): such data
    /// can be memory-mapped and read without the library, as the published Shapes3D file is.
    public func contiguousOffset(of name: String) throws -> Int? {
        try withDataset(name) { dataset, _ in
            let properties = H5Dget_create_plist(dataset)
            defer { H5Pclose(properties) }
            guard H5Pget_layout(properties) == H5D_CONTIGUOUS, H5Pget_nfilters(properties) == 0 else { return nil }
            let offset = H5Dget_offset(dataset)
            return offset == haddr_t.max ? nil : Int(exactly: offset)
        }
    }

    /// Whether dataset `name` stores unsigned bytes.
    public func storesBytes(_ name: String) throws -> Bool {
        try withDataset(name) { dataset, _ in
            let type = H5Dget_type(dataset)
            defer { H5Tclose(type) }
            return H5Tget_class(type) == H5T_INTEGER && H5Tget_size(type) == 1
        }
    }

    private func withDataset<T>(_ name: String, _ body: (hid_t, hid_t) throws -> T) throws -> T {
        try HDF5File.lock.withLock {
            guard H5Lexists(file, name, qlx_h5p_default()) > 0 else {
                throw invalid("a dataset '\(name)'", "none")
            }
            let dataset = H5Dopen2(file, name, qlx_h5p_default())
            guard dataset >= 0 else { throw invalid("a dataset '\(name)'", "an object HDF5 cannot open as a dataset") }
            defer { H5Dclose(dataset) }
            let space = H5Dget_space(dataset)
            defer { H5Sclose(space) }
            return try body(dataset, space)
        }
    }

    private func invalid(_ expected: String, _ found: String) -> DataError {
        DataError.datasetFileInvalid(path: path, expected: expected, found: found)
    }
}
