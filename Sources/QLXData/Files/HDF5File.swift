import CHDF5
import Foundation
import QLXIO

/// A read-only HDF5 file (Shapes3D's `3dshapes.h5`). The HDF5 C library reads the metadata
/// (shapes, types, layout, where each chunk is); qlx reads the elements itself from a memory
/// map of the file, a row range at a time, never whole (HDF5Chunks: inflating, unshuffling,
/// converting). libhdf5 1.10's own read path trusts what a damaged file says about chunk sizes
/// and types: the hdf5 fuzz target found it allocating 4 GB and writing past its buffers.
/// HDF5 is not thread-safe in Debian's serial build, so every library call holds one
/// process-wide lock, as does the one decoded chunk kept for the next read.
public final class HDF5File: @unchecked Sendable {
    public let path: String
    private let file: hid_t
    private let mapped: MappedFile
    /// The last chunk decoded, for reads of neighbouring rows (guarded by `lock`).
    private var lastChunk: (name: String, origin: [Int], bytes: [UInt8])?
    static let lock = NSLock()

    /// Makes libhdf5's metadata calls on `datasets` of a file elsewhere, returning 0 when that
    /// came through, else the signal that ended it (-1: could not start). A forked child here;
    /// the fuzz harness swaps in a spawned walker, since forking a sanitized process per input
    /// costs 30 ms.
    nonisolated(unsafe) static var metadataCheck: (_ path: String, _ datasets: [String]) -> Int32 = { path, datasets in
        let names = datasets.map { strdup($0) }
        defer { names.forEach { free($0) } }
        return names.map { UnsafePointer($0) }.withUnsafeBufferPointer {
            qlx_h5_survives_metadata(path, $0.baseAddress, Int32(datasets.count), 30)
        }
    }

    /// Opens `path` for reading the datasets named in `datasets`: libhdf5's metadata calls on
    /// them are made first in a forked child (`qlx_h5_survives_metadata`), so a file that
    /// crashes or hangs libhdf5 is refused with an error instead of ending qlx.
    public init(path: String, datasets: [String]) throws {
        self.path = path
        let mapped = try MappedFile(path: path)
        try HDF5Superblock.check(mapped.bytes, path: path)
        self.mapped = mapped
        let signal = HDF5File.lock.withLock { HDF5File.metadataCheck(path, datasets) }
        guard signal == 0 else {
            throw DataError.datasetFileInvalid(path: path, expected: "an HDF5 file libhdf5 can read",
                                               found: signal < 0 ? "no process could be started to check it"
                                                   : signal == SIGALRM ? "a file libhdf5 was still reading after 30 s (corrupt or crafted?)"
                                                   : "a file that stops libhdf5 with signal \(signal) (corrupt or crafted?)")
        }
        let id: hid_t = HDF5File.lock.withLock {
            H5Eset_auto2(qlx_h5e_default(), nil, nil)   // errors come back as return codes, not printed
            return H5Fopen(path, qlx_h5f_acc_rdonly(), qlx_h5p_default())
        }
        guard id >= 0 else {
            throw DataError.datasetFileInvalid(path: path, expected: "an HDF5 file", found: "a file HDF5 cannot open")
        }
        file = id
    }

    private var fileSize: Int { mapped.bytes.count }

    deinit { _ = HDF5File.lock.withLock { H5Fclose(file) } }

    public func contains(_ name: String) -> Bool {
        HDF5File.lock.withLock { H5Lexists(file, name, qlx_h5p_default()) > 0 }
    }

    /// The dimensions of dataset `name`.
    public func shape(of name: String) throws -> [Int] {
        try withDataset(name) { _, space in try dimensions(space, name: name) }
    }

    /// The dimensions of dataset `name`'s dataspace `space`: at least one, each below 2⁶³.
    private func dimensions(_ space: hid_t, name: String) throws -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { throw invalid("dataset '\(name)' with at least one dimension", "rank \(rank)") }
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        guard dims.allSatisfy({ $0 <= UInt64(Int.max) }) else {
            throw invalid("dataset '\(name)' with dimensions below 2⁶³", "\(dims)")
        }
        return dims.map { Int($0) }
    }

    /// An open dataset's element type, when it is one of HDF5's standard number types.
    private func elementType(_ dataset: hid_t) -> NpyDType? {
        let type = H5Dget_type(dataset)
        defer { H5Tclose(type) }
        guard let descriptor = qlx_h5t_numpy_descriptor(type) else { return nil }
        return try? NpyDType(descriptor: String(cString: descriptor), path: path)
    }

    /// An open dataset's elements when they are stored as one allocated block in the file
    /// (contiguous layout), all of it inside the file; nil for another layout or no block.
    private func contiguousBlock(_ dataset: hid_t, properties: hid_t, name: String, dims: [Int],
                                 dtype: NpyDType) throws -> UnsafeRawBufferPointer? {
        guard H5Pget_layout(properties) == H5D_CONTIGUOUS else { return nil }
        let offset = H5Dget_offset(dataset)
        guard offset != haddr_t.max, let start = Int(exactly: offset) else { return nil }
        return try HDF5Chunks.region(of: dims, dtype: dtype, at: start, in: mapped.bytes, name: name, path: path)
    }

    /// Rows [start, start + count) of dataset `name` (first dimension) as uint8 (`asBytes`, for
    /// a uint8 dataset) or float64, into `out` (count × the product of `rowShape`, which must
    /// be the dataset's other dimensions).
    public func readRows(_ name: String, start: Int, count: Int, rowShape: [Int], asBytes: Bool,
                         into out: UnsafeMutableRawPointer) throws {
        try withDataset(name) { dataset, space in
            guard let dtype = elementType(dataset) else {
                throw invalid("numbers of a standard type (IEEE float or integer) in '\(name)'", "another element type")
            }
            if asBytes && dtype.descriptor != "|u1" {
                throw invalid("uint8 elements in '\(name)'", "dtype \(dtype.descriptor)")
            }
            let dims = try dimensions(space, name: name)
            guard dims.count == rowShape.count + 1, Array(dims.dropFirst()) == rowShape,
                  start >= 0, count >= 0, start <= dims[0] - count else {
                throw invalid("rows \(start)..<\(start + count) of rows \(rowShape) in '\(name)'", "a dataset of shape \(dims)")
            }
            let target = HDF5Chunks.Target(rows: start..<(start + count), rowShape: rowShape, dtype: dtype, asBytes: asBytes, out: out)
            let properties = H5Dget_create_plist(dataset)
            defer { H5Pclose(properties) }
            switch H5Pget_layout(properties) {
            case H5D_CONTIGUOUS:
                guard let elements = try contiguousBlock(dataset, properties: properties, name: name, dims: dims, dtype: dtype) else {
                    throw invalid("stored elements of '\(name)'", "none written")
                }
                HDF5Chunks.copy(from: elements, origin: dims.map { _ in 0 }, dims: dims, into: target)
            case H5D_CHUNKED:
                try readChunks(dataset: dataset, space: space, properties: properties, name: name, target: target)
            default:
                throw invalid("'\(name)' stored contiguous or in chunks", "another layout (compact or virtual)")
            }
        }
    }

    /// The chunks a read touches, each located by libhdf5, checked against the file, decoded by
    /// HDF5Chunks and copied into the target.
    private func readChunks(dataset: hid_t, space: hid_t, properties: hid_t, name: String, target: HDF5Chunks.Target) throws {
        let rank = target.rowShape.count + 1
        var chunk = [hsize_t](repeating: 0, count: rank)
        guard H5Pget_chunk(properties, Int32(rank), &chunk) == Int32(rank), chunk.allSatisfy({ $0 > 0 }) else {
            throw invalid("chunk dimensions of '\(name)' matching its rank \(rank)", "a chunk layout HDF5 cannot describe")
        }
        // HDF5 never makes a chunk larger than a fixed-size dataset's extent; a file that says
        // so is corrupt (libhdf5 1.10 then copied a whole chunk's worth out of a smaller buffer).
        var dims = [hsize_t](repeating: 0, count: rank), maxDims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, &maxDims)
        for axis in 0..<rank where maxDims[axis] != hsize_t.max && chunk[axis] > maxDims[axis] {
            throw invalid("chunks of '\(name)' no larger than its dimensions \(maxDims)", "chunks of \(chunk)")
        }
        let steps = chunk.map { Int(clamping: $0) }
        let chunkBytes = try HDF5Chunks.checkedBytes(of: steps, dtype: target.dtype, name: name, path: path)
        var filters: [Int32] = []
        for index in 0..<max(0, H5Pget_nfilters(properties)) {
            filters.append(qlx_h5p_filter_id(properties, UInt32(index)))
        }
        let pipeline = try HDF5Chunks.Pipeline(filters: filters, chunkBytes: chunkBytes, dtype: target.dtype, name: name, path: path)
        // Chunk origins covering the rows, and every chunk across the other dimensions: an
        // odometer over the chunk grid, bounded so a tiny chunk shape cannot mean a billion reads.
        let extent = [target.rows.upperBound] + target.rowShape
        let first = [target.rows.lowerBound / steps[0] * steps[0]] + target.rowShape.map { _ in 0 }
        let counts = (0..<rank).map { ($0 == 0 ? extent[0] - first[0] : extent[$0]).dividedRoundingUp(by: steps[$0]) }
        guard let total = SizeLimit.product(counts), total <= 1 << 20 else {
            throw invalid("at most 2²⁰ chunks per read of '\(name)'", "chunks of \(chunk) over \(extent)")
        }
        var position = [Int](repeating: 0, count: rank)
        for _ in 0..<total {
            let origin = (0..<rank).map { first[$0] + position[$0] * steps[$0] }
            var axis = rank - 1
            while axis >= 0 { position[axis] += 1; if position[axis] < counts[axis] { break }; position[axis] = 0; axis -= 1 }
            let bytes = try decodedChunk(dataset: dataset, name: name, origin: origin, chunkBytes: chunkBytes, pipeline: pipeline)
            bytes.withUnsafeBytes { HDF5Chunks.copy(from: $0, origin: origin, dims: steps, into: target) }
        }
    }

    /// The chunk of `name` at `origin`, decoded (kept for the next read); zeros (HDF5's default
    /// fill value) for a chunk never written.
    private func decodedChunk(dataset: hid_t, name: String, origin: [Int], chunkBytes: Int,
                              pipeline: HDF5Chunks.Pipeline) throws -> [UInt8] {
        if let lastChunk, lastChunk.name == name, lastChunk.origin == origin { return lastChunk.bytes }
        var coordinates = origin.map { hsize_t($0) }
        var filterMask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
        guard H5Dget_chunk_info_by_coord(dataset, &coordinates, &filterMask, &address, &size) >= 0 else {
            throw invalid("a readable chunk index for '\(name)'", "a corrupt chunk index at \(origin)")
        }
        let bytes: [UInt8]
        if address == haddr_t.max {
            bytes = [UInt8](repeating: 0, count: chunkBytes)
        } else {
            guard size <= UInt64(fileSize), address <= UInt64(fileSize) - size else {
                throw invalid("the chunk of '\(name)' at \(origin) inside the file's \(fileSize) bytes",
                              "\(size) bytes from offset \(address) (truncated or corrupt file?)")
            }
            let stored = UnsafeRawBufferPointer(rebasing: mapped.bytes[Int(address)..<(Int(address) + Int(size))])
            bytes = try pipeline.decode(stored, skipping: filterMask, origin: origin)
        }
        lastChunk = (name, origin, bytes)
        return bytes
    }

    /// The elements of uint8 dataset `name` when the file stores them as one plain block
    /// (contiguous, no filters, allocated), checked to lie inside the file: such data is read
    /// straight from the map, as the published Shapes3D file's images are; nil otherwise.
    public func contiguousBytes(of name: String) throws -> UnsafeRawBufferPointer? {
        try withDataset(name) { dataset, space in
            let properties = H5Dget_create_plist(dataset)
            defer { H5Pclose(properties) }
            guard H5Pget_nfilters(properties) == 0, let dtype = elementType(dataset), dtype.descriptor == "|u1" else { return nil }
            return try contiguousBlock(dataset, properties: properties, name: name, dims: try dimensions(space, name: name), dtype: dtype)
        }
    }

    /// Whether dataset `name` stores unsigned bytes.
    public func storesBytes(_ name: String) throws -> Bool {
        try withDataset(name) { dataset, _ in elementType(dataset)?.descriptor == "|u1" }
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

private extension Int {
    func dividedRoundingUp(by divisor: Int) -> Int { self / divisor + (self % divisor == 0 ? 0 : 1) }
}

