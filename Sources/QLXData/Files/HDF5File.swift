import CHDF5
import Foundation
import QLXIO

/// A read-only HDF5 file (Shapes3D's `3dshapes.h5`). libhdf5 runs in a server process of its
/// own (HDF5MetadataServer: crafted files crash, hang or corrupt libhdf5 1.10, and then only
/// that process goes): it describes datasets and hands over a chunk's bytes as stored, after
/// checking its size against the file. qlx does the rest, a row range at a time, never the
/// whole dataset: contiguous elements straight from a memory map of the file (their extent
/// checked against it), chunks inflated, unshuffled and converted by HDF5Chunks. One lock per
/// file serialises its requests and guards the descriptions and the one decoded chunk kept for
/// the next read.
public final class HDF5File: @unchecked Sendable {
    public let path: String
    private let mapped: MappedFile
    private let server: HDF5MetadataServer
    private let lock = NSLock()
    /// Datasets described so far (guarded by `lock`).
    private var described: [String: Dataset] = [:]
    /// The last chunk decoded, for reads of neighbouring rows (guarded by `lock`).
    private var lastChunk: (name: String, origin: [Int], bytes: [UInt8])?

    /// What libhdf5 says of a dataset, with the checks every reader relies on made once.
    private struct Dataset {
        let dims: [Int]
        let maxDims: [UInt64]
        /// nil: not one of HDF5's standard number types.
        let dtype: NpyDType?
        let layout: Int32
        /// Contiguous layout: where the elements start in the file; nil when none are written.
        let offset: Int?
        /// Chunked layout: the chunk dimensions; nil when libhdf5 gave none of the dataset's rank.
        let chunk: [UInt64]?
        let filterCount: Int
        let filters: [Int32]
    }

    /// Opens `path` for reading the datasets named in `datasets`, which are described at once:
    /// a file that crashes or hangs libhdf5 is refused here, with an error.
    public init(path: String, datasets: [String]) throws {
        self.path = path
        let mapped = try MappedFile(path: path)
        try HDF5Superblock.check(mapped.bytes, path: path)
        self.mapped = mapped
        guard let server = HDF5MetadataServer.start() else {
            throw DataError.datasetFileInvalid(path: path, expected: "an HDF5 file libhdf5 can read", found: "no process could be started to read it")
        }
        self.server = server
        guard let opened = server.open(path) else { throw stoppedError() }
        guard opened else { throw invalid("an HDF5 file", "a file HDF5 cannot open") }
        for name in datasets {
            do { _ = try dataset(name) } catch where server.stopped != nil { throw error }
        }
    }

    private var fileSize: Int { mapped.bytes.count }

    /// The dimensions of dataset `name`.
    public func shape(of name: String) throws -> [Int] {
        try lock.withLock { try dataset(name).dims }
    }

    /// Whether dataset `name` stores unsigned bytes.
    public func storesBytes(_ name: String) throws -> Bool {
        try lock.withLock { try dataset(name).dtype?.descriptor == "|u1" }
    }

    /// The elements of uint8 dataset `name` when the file stores them as one plain block
    /// (contiguous, no filters, allocated), checked to lie inside the file: such data is read
    /// straight from the map, as the published Shapes3D file's images are; nil otherwise.
    public func contiguousBytes(of name: String) throws -> UnsafeRawBufferPointer? {
        try lock.withLock {
            let dataset = try dataset(name)
            guard dataset.filterCount == 0, let dtype = dataset.dtype, dtype.descriptor == "|u1" else { return nil }
            return try contiguousBlock(dataset, dtype: dtype, name: name)
        }
    }

    /// Rows [start, start + count) of dataset `name` (first dimension) as uint8 (`asBytes`, for
    /// a uint8 dataset) or float64, into `out` (count × the product of `rowShape`, which must
    /// be the dataset's other dimensions).
    public func readRows(_ name: String, start: Int, count: Int, rowShape: [Int], asBytes: Bool,
                         into out: UnsafeMutableRawPointer) throws {
        try lock.withLock {
            let dataset = try dataset(name)
            guard let dtype = dataset.dtype else {
                throw invalid("numbers of a standard type (IEEE float or integer) in '\(name)'", "another element type")
            }
            if asBytes && dtype.descriptor != "|u1" {
                throw invalid("uint8 elements in '\(name)'", "dtype \(dtype.descriptor)")
            }
            let dims = dataset.dims
            guard dims.count == rowShape.count + 1, Array(dims.dropFirst()) == rowShape,
                  start >= 0, count >= 0, start <= dims[0] - count else {
                throw invalid("rows \(start)..<\(start + count) of rows \(rowShape) in '\(name)'", "a dataset of shape \(dims)")
            }
            let target = HDF5Chunks.Target(rows: start..<(start + count), rowShape: rowShape, dtype: dtype, asBytes: asBytes, out: out)
            switch dataset.layout {
            case Int32(QLX_H5_CONTIGUOUS):
                guard let elements = try contiguousBlock(dataset, dtype: dtype, name: name) else {
                    throw invalid("stored elements of '\(name)'", "none written")
                }
                HDF5Chunks.copy(from: elements, origin: dims.map { _ in 0 }, dims: dims, into: target)
            case Int32(QLX_H5_CHUNKED):
                try readChunks(dataset, name: name, target: target)
            default:
                throw invalid("'\(name)' stored contiguous or in chunks", "another layout (compact or virtual)")
            }
        }
    }

    /// libhdf5's description of dataset `name`, asked for once (the caller holds `lock`).
    private func dataset(_ name: String) throws -> Dataset {
        if let known = described[name] { return known }
        guard let answer = server.describe(name) else { throw stoppedError() }
        switch answer.status {
        case Int32(QLX_H5_ANSWERED): break
        case Int32(QLX_H5_NO_SUCH_NAME): throw invalid("a dataset '\(name)'", "none")
        case Int32(QLX_H5_NOT_A_DATASET): throw invalid("a dataset '\(name)'", "an object HDF5 cannot open as a dataset")
        case Int32(QLX_H5_EXTERNAL_LINK):
            throw invalid("a dataset '\(name)' stored in this file", "an external link to another file (copy the data in, e.g. with h5py)")
        default: throw invalid("a dataset '\(name)' HDF5 can describe", "one it cannot read (corrupt file?)")
        }
        // The server answers only for ranks 0...QLX_H5_MAX_RANK.
        let rank = Int(answer.rank)
        guard rank > 0 else { throw invalid("dataset '\(name)' with at least one dimension", "rank \(rank)") }
        let dims = Self.values(of: answer.dims, count: rank, as: UInt64.self)
        guard dims.allSatisfy({ $0 <= UInt64(Int.max) }) else {
            throw invalid("dataset '\(name)' with dimensions below 2⁶³", "\(dims)")
        }
        let descriptor = withUnsafeBytes(of: answer.descriptor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let filterCount = Int(answer.filter_count)
        guard (0...Int(QLX_H5_MAX_FILTERS)).contains(filterCount) else {
            throw invalid("at most \(QLX_H5_MAX_FILTERS) filters on '\(name)'", "\(filterCount)")
        }
        let maxDims = Self.values(of: answer.max_dims, count: rank, as: UInt64.self)
        guard zip(dims, maxDims).allSatisfy({ $0 <= $1 }) else {
            let limits = maxDims.map { $0 == UInt64.max ? "unlimited" : "\($0)" }.joined(separator: ", ")
            throw invalid("dimensions of '\(name)' within its maximum dimensions [\(limits)]", "\(dims) (corrupt file?)")
        }
        let dtype = descriptor.isEmpty ? nil : try NpyDType(descriptor: descriptor, path: path)
        try checkHeldByFile(dims.map { Int($0) }, elementSize: dtype?.size ?? 1, what: "'\(name)'")
        let dataset = Dataset(dims: dims.map { Int($0) }, maxDims: maxDims,
                              dtype: dtype,
                              layout: answer.layout, offset: answer.offset == UInt64.max ? nil : Int(exactly: answer.offset),
                              chunk: answer.chunk_rank == answer.rank ? Self.values(of: answer.chunk, count: rank, as: UInt64.self) : nil,
                              filterCount: filterCount, filters: Self.values(of: answer.filters, count: filterCount, as: Int32.self))
        described[name] = dataset
        return dataset
    }

    /// The first `count` elements of a fixed-size C array (imported as a tuple).
    private static func values<Tuple, Element>(of array: Tuple, count: Int, as _: Element.Type) -> [Element] {
        withUnsafeBytes(of: array) { Array($0.bindMemory(to: Element.self).prefix(count)) }
    }

    /// A dataset's elements when they are stored as one allocated block in the file
    /// (contiguous layout), all of it inside the file; nil for another layout or no block.
    private func contiguousBlock(_ dataset: Dataset, dtype: NpyDType, name: String) throws -> UnsafeRawBufferPointer? {
        guard dataset.layout == Int32(QLX_H5_CONTIGUOUS), let start = dataset.offset else { return nil }
        return try HDF5Chunks.region(of: dataset.dims, dtype: dtype, at: start, in: mapped.bytes, name: name, path: path)
    }

    /// The chunks a read touches, each read by libhdf5 as stored (its size checked against the
    /// file first), decoded by HDF5Chunks and copied into the target.
    private func readChunks(_ dataset: Dataset, name: String, target: HDF5Chunks.Target) throws {
        let rank = target.rowShape.count + 1
        guard let chunk = dataset.chunk, chunk.allSatisfy({ $0 > 0 }) else {
            throw invalid("chunk dimensions of '\(name)' matching its rank \(rank)", "a chunk layout HDF5 cannot describe")
        }
        // HDF5 never makes a chunk larger than a fixed-size dataset's extent; a file that says
        // so is corrupt (libhdf5 1.10 then copied a whole chunk's worth out of a smaller buffer).
        let maxDims = dataset.maxDims
        for axis in 0..<rank where maxDims[axis] != UInt64.max && chunk[axis] > maxDims[axis] {
            throw invalid("chunks of '\(name)' no larger than its dimensions \(maxDims)", "chunks of \(chunk)")
        }
        let steps = chunk.map { Int(clamping: $0) }
        try checkChunkGrid(dims: dataset.dims, steps: steps, name: name)
        // A chunk is allocated whole, written or not (a fuzz input declared chunks of 267 MB in
        // 10 kB and read 48 of them for one image).
        try checkHeldByFile(steps, elementSize: target.dtype.size, what: "one chunk of '\(name)'")
        let chunkBytes = try HDF5Chunks.checkedBytes(of: steps, dtype: target.dtype, name: name, path: path)
        let pipeline = try HDF5Chunks.Pipeline(filters: dataset.filters, chunkBytes: chunkBytes, dtype: target.dtype, name: name, path: path)
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
            let bytes = try decodedChunk(name: name, origin: origin, chunkBytes: chunkBytes, pipeline: pipeline)
            bytes.withUnsafeBytes { HDF5Chunks.copy(from: $0, origin: origin, dims: steps, into: target) }
        }
    }

    /// A block of elements (a dataset, a chunk) must fit what the file can hold: as stored, or
    /// compressed by deflate, whose largest ratio is 1032 to 1. Callers size their buffers from
    /// the shape, so a dataset is checked when it is described, before any allocation (an 8.7 kB
    /// fuzz input declared labels of 3 × 134,217,730 float64, and 3.2 GB were allocated before
    /// any read failed).
    private func checkHeldByFile(_ dims: [Int], elementSize: Int, what: String) throws {
        let limit = fileSize.multipliedReportingOverflow(by: 1032)
        guard let elements = SizeLimit.product(dims), case let (bytes, false) = elements.multipliedReportingOverflow(by: elementSize),
              limit.overflow || bytes <= limit.partialValue else {
            throw invalid("at most 1032 bytes of \(what) per byte of the file's \(fileSize) (deflate's largest ratio)",
                          "\(dims) elements of \(elementSize) bytes (corrupt or crafted?)")
        }
    }

    /// Bounds on a chunk grid that keep a read's cost in proportion to the file, since each
    /// chunk is one request to the server: a crafted file of 8 kB cut each image of a dataset
    /// into 98,000 chunks of one row each, and reading one image took 20 s. Every chunk written
    /// takes at least 8 bytes of the file (its address in the index, or its data), so a grid of
    /// more chunks than one per 8 bytes is mostly never written (corrupt or crafted); and no
    /// layout meant for reading by rows splits one row into more than 4096 chunks.
    private func checkChunkGrid(dims: [Int], steps: [Int], name: String) throws {
        let counts = zip(dims, steps).map { $0.dividedRoundingUp(by: $1) }
        guard let perRow = SizeLimit.product(Array(counts.dropFirst())), perRow <= 4096 else {
            throw invalid("at most 4096 chunks across one row of '\(name)'", "chunks of \(steps) over \(dims)")
        }
        guard let total = SizeLimit.product(counts), total <= max(1, fileSize / 8) else {
            throw invalid("at most one chunk of '\(name)' per 8 bytes of the file's \(fileSize)",
                          "chunks of \(steps) over \(dims) (corrupt or crafted?)")
        }
    }

    /// The chunk of `name` at `origin`, decoded (kept for the next read); zeros (HDF5's default
    /// fill value) for a chunk never written.
    private func decodedChunk(name: String, origin: [Int], chunkBytes: Int, pipeline: HDF5Chunks.Pipeline) throws -> [UInt8] {
        if let lastChunk, lastChunk.name == name, lastChunk.origin == origin { return lastChunk.bytes }
        guard let (chunk, stored) = server.readChunk(of: name, at: origin, sizeLimit: fileSize) else { throw stoppedError() }
        guard chunk.status == Int32(QLX_H5_ANSWERED) else {
            throw invalid("a readable chunk index for '\(name)'", "a corrupt chunk index at \(origin)")
        }
        let bytes: [UInt8]
        if chunk.written == 0 {
            bytes = [UInt8](repeating: 0, count: chunkBytes)
        } else {
            guard let stored else {
                throw invalid("the chunk of '\(name)' at \(origin) no larger than the file's \(fileSize) bytes",
                              "\(chunk.size) bytes (truncated or corrupt file?)")
            }
            bytes = try stored.withUnsafeBytes { try pipeline.decode($0, skipping: chunk.filter_mask, origin: origin) }
        }
        lastChunk = (name, origin, bytes)
        return bytes
    }

    /// The error once the metadata server has stopped: how it ended.
    private func stoppedError() -> DataError {
        invalid("an HDF5 file libhdf5 can read", server.stopped ?? "a reader that stopped")
    }

    private func invalid(_ expected: String, _ found: String) -> DataError {
        DataError.datasetFileInvalid(path: path, expected: expected, found: found)
    }
}

private extension Int {
    func dividedRoundingUp(by divisor: Int) -> Int { self / divisor + (self % divisor == 0 ? 0 : 1) }
}
