import CZlibSystem
import QLXIO

/// HDF5 dataset elements read straight from the file's bytes (HDF5File locates them): the
/// filters h5py writes undone (gzip/deflate, shuffle, fletcher32), then the elements that fall
/// inside the requested rows copied out, converted by `NpyDType`. Every size comes from the
/// file, so each is checked before it is used: a chunk must inflate to exactly its size.
enum HDF5Chunks {
    /// Where a read's elements go: rows of a dataset with rows of `rowShape`, as uint8
    /// (`asBytes`) or float64, packed row-major into `out`.
    struct Target {
        let rows: Range<Int>
        let rowShape: [Int]
        let dtype: NpyDType
        let asBytes: Bool
        let out: UnsafeMutableRawPointer
    }

    /// The bytes of a block of `dims` elements of `dtype`, when that fits in memory.
    static func checkedBytes(of dims: [Int], dtype: NpyDType, name: String, path: String) throws -> Int {
        try DataError.checkFits(dims, bytesEach: dtype.size, what: "a block of \(dims) of '\(name)'", path: path)
        return dims.reduce(dtype.size, *)
    }

    /// `dims` elements of `dtype` from byte `offset` of `file`, all inside it.
    static func region(of dims: [Int], dtype: NpyDType, at offset: Int, in file: UnsafeRawBufferPointer,
                       name: String, path: String) throws -> UnsafeRawBufferPointer {
        let size = try checkedBytes(of: dims, dtype: dtype, name: name, path: path)
        guard offset >= 0, case let (end, false) = offset.addingReportingOverflow(size), end <= file.count else {
            throw DataError.datasetFileInvalid(path: path, expected: "\(size) bytes of '\(name)' from offset \(offset)",
                                               found: "a file of \(file.count) bytes (truncated?)")
        }
        return UnsafeRawBufferPointer(rebasing: file[offset..<end])
    }

    /// A chunked dataset's filters, applied in order when written and undone in reverse.
    struct Pipeline {
        enum Filter { case deflate, shuffle, fletcher32 }
        let filters: [Filter]
        let chunkBytes: Int
        let elementSize: Int
        let name: String
        let path: String

        init(filters ids: [Int32], chunkBytes: Int, dtype: NpyDType, name: String, path: String) throws {
            filters = try ids.map { id in
                switch id {
                case 1: return .deflate
                case 2: return .shuffle
                case 3: return .fletcher32
                default:
                    throw DataError.datasetFileInvalid(path: path, expected: "'\(name)' stored plain or with gzip, shuffle or fletcher32 filters",
                                                       found: "HDF5 filter \(id) (re-save it with h5py's compression=\"gzip\")")
                }
            }
            self.chunkBytes = chunkBytes
            self.elementSize = dtype.size
            self.name = name
            self.path = path
        }

        /// One stored chunk decoded to its `chunkBytes` bytes; bit i of `mask` set means
        /// filter i was skipped for this chunk.
        func decode(_ stored: UnsafeRawBufferPointer, skipping mask: UInt32, origin: [Int]) throws -> [UInt8] {
            var bytes = [UInt8](stored)
            for (index, filter) in filters.enumerated().reversed() where index >= 32 || mask & (1 << UInt32(index)) == 0 {
                switch filter {
                case .fletcher32:
                    // The checksum's four bytes end the chunk; the data before them is kept.
                    guard bytes.count >= 4 else { throw corrupt(origin, "shorter than its checksum") }
                    bytes.removeLast(4)
                case .deflate:
                    bytes = try inflate(bytes, origin: origin)
                case .shuffle:
                    bytes = unshuffle(bytes)
                }
            }
            guard bytes.count == chunkBytes else { throw corrupt(origin, "\(bytes.count) bytes where \(chunkBytes) belong") }
            return bytes
        }

        private func inflate(_ compressed: [UInt8], origin: [Int]) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: chunkBytes)
            var length = uLongf(chunkBytes)
            let status = out.withUnsafeMutableBufferPointer { target in
                compressed.withUnsafeBufferPointer { source in
                    uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
                }
            }
            // Z_BUF_ERROR: the stream holds more than one chunk; anything else: not zlib data.
            guard status == Z_OK, Int(length) == chunkBytes else {
                throw corrupt(origin, status == Z_OK ? "\(length) bytes inflated where \(chunkBytes) belong" : "a gzip stream that does not inflate")
            }
            return out
        }

        /// Shuffle stores byte 0 of every element, then byte 1, ...; leftover bytes stay last.
        private func unshuffle(_ shuffled: [UInt8]) -> [UInt8] {
            guard elementSize > 1 else { return shuffled }
            let elements = shuffled.count / elementSize
            var out = shuffled
            for byte in 0..<elementSize {
                for element in 0..<elements { out[element * elementSize + byte] = shuffled[byte * elements + element] }
            }
            return out
        }

        private func corrupt(_ origin: [Int], _ found: String) -> DataError {
            DataError.datasetFileInvalid(path: path, expected: "a readable chunk of '\(name)' at \(origin)", found: "\(found) (truncated or corrupt file?)")
        }
    }

    /// Copies the elements of `block` (a row-major block of `dims` elements whose first element
    /// is at `origin` in the dataset) that fall inside the target's rows into the target.
    static func copy(from block: UnsafeRawBufferPointer, origin: [Int], dims: [Int], into target: Target) {
        let rank = dims.count
        let low = [target.rows.lowerBound] + target.rowShape.map { _ in 0 }
        let high = [target.rows.upperBound] + target.rowShape
        let from = (0..<rank).map { max(origin[$0], low[$0]) }
        let to = (0..<rank).map { min(origin[$0] + dims[$0], high[$0]) }
        guard (0..<rank).allSatisfy({ from[$0] < to[$0] }) else { return }
        let outDims = [target.rows.count] + target.rowShape
        var blockStride = [Int](repeating: 1, count: rank), outStride = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) {
            blockStride[axis] = blockStride[axis + 1] * dims[axis + 1]
            outStride[axis] = outStride[axis + 1] * outDims[axis + 1]
        }
        let run = to[rank - 1] - from[rank - 1]
        var position = from
        while true {
            var source = 0, destination = 0
            for axis in 0..<rank {
                source += (position[axis] - origin[axis]) * blockStride[axis]
                destination += (position[axis] - low[axis]) * outStride[axis]
            }
            if target.asBytes {
                (target.out + destination).copyMemory(from: block.baseAddress! + source, byteCount: run)
            } else {
                let out = target.out.assumingMemoryBound(to: Double.self) + destination
                for i in 0..<run { out[i] = target.dtype.double(block.baseAddress!, source + i) }
            }
            // The next run: an odometer over every axis but the last.
            var axis = rank - 2
            while axis >= 0 {
                position[axis] += 1
                if position[axis] < to[axis] { break }
                position[axis] = from[axis]
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
