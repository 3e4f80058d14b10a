import Foundation
import QLXIO

/// The elements of an .npy array in C (row-major) order: integers and bools widened to
/// Int64, floats widened to Double.
public enum NpyValues: Sendable, Equatable {
    case int64([Int64])
    case float64([Double])

    public var count: Int {
        switch self {
        case .int64(let v): return v.count
        case .float64(let v): return v.count
        }
    }
}

/// A NumPy array as read from or written to an .npy file.
public struct NpyArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: NpyValues
    /// The file's dtype descriptor ("<i4", ">f8", "|b1"); "<i8" / "<f8" for arrays built here.
    public var dtype: String

    public init(shape: [Int], values: NpyValues, dtype: String? = nil) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(values.count)")
        self.shape = shape
        self.values = values
        switch values {
        case .int64: self.dtype = dtype ?? "<i8"
        case .float64: self.dtype = dtype ?? "<f8"
        }
    }

    public var count: Int { values.count }
    public var isInteger: Bool { if case .int64 = values { return true } else { return false } }

    /// Every element as a Double (integers converted exactly up to 2^53).
    public var doubles: [Double] {
        switch values {
        case .int64(let v): return v.map(Double.init)
        case .float64(let v): return v
        }
    }

    /// Rows of a 2-D array.
    public func rows<T>(_ transform: (Int) -> T) -> [[T]] {
        precondition(shape.count == 2, "rows(of:) needs a 2-D array, found shape \(shape)")
        let columns = shape[1]
        return (0..<shape[0]).map { r in (0..<columns).map { transform(r * columns + $0) } }
    }
}

/// Reading and writing NumPy's .npy format (versions 1.0, 2.0 and 3.0): a magic string, a
/// header that is a Python dict literal ({'descr': '<f8', 'fortran_order': False,
/// 'shape': (2, 3), }), then the raw elements. See numpy.lib.format.
public enum Npy {
    /// Reads integer (i1…i8, u1…u8), bool and float (f2, f4, f8) arrays in either byte order
    /// and either memory order. Pickled object arrays are refused.
    public static func read(path: String) throws -> NpyArray {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: SizeLimit.memoryLimit) } catch let error as FileReadError {
            throw DataError.npyUnreadable(path: path, reason: error.reason)
        }
        return try decodeRecord(bytes, at: 0, path: path).array
    }

    /// Parses the bytes of an .npy file; `path` only names it in errors.
    public static func decode(_ data: Data, path: String) throws -> NpyArray {
        try decodeRecord([UInt8](data), at: 0, path: path).array
    }

    /// Parses the .npy record at byte `start` of a file of `fileSize` bytes that `read(offset,
    /// count)` reads from, asking only for the bytes the record takes up: its prefix, then its
    /// header, then (once its size is checked against the memory limit and the file) its
    /// data. A damaged or huge file is refused after a few bytes rather than read whole.
    /// Returns the array and the offset just past it.
    public static func decodeRecord(at start: Int, fileSize: Int, path: String,
                                    reading read: (_ offset: Int, _ count: Int) throws -> [UInt8]) throws -> (array: NpyArray, end: Int) {
        let remaining = fileSize - start
        let (headerStart, headerLength) = try NpyHeader.headerRange(try read(start, min(12, remaining)), at: 0, path: path)
        let header = try NpyHeader.parse(try read(start, min(headerStart + headerLength, remaining)), at: 0, path: path)
        let dtype = try NpyDType(descriptor: header.descr, path: path)
        try DataError.checkFits(header.shape, bytesEach: 8, what: "shape \(header.shape)", path: path)
        let needed = header.shape.reduce(1, *) * dtype.size
        let (array, end) = try decodeRecord(try read(start, min(header.dataOffset + needed, remaining)), at: 0, path: path)
        return (array, start + end)
    }

    /// Parses the .npy record starting at `bytes[start]` and returns it with the offset just
    /// past its data, where the next record of a concatenation (an Equinox .eqx file) begins.
    public static func decodeRecord(_ bytes: [UInt8], at start: Int, path: String) throws -> (array: NpyArray, end: Int) {
        let header = try NpyHeader.parse(bytes, at: start, path: path)
        let dtype = try NpyDType(descriptor: header.descr, path: path)
        // Elements are widened to 8 bytes in memory.
        try DataError.checkFits(header.shape, bytesEach: 8, what: "shape \(header.shape)", path: path)
        let count = header.shape.reduce(1, *)
        let needed = count * dtype.size
        let available = bytes.count - header.dataOffset
        guard available >= needed else {
            throw DataError.npyMalformed(path: path, reason: "expected \(needed) bytes of data for shape \(header.shape) of \(header.descr), found \(available)")
        }
        var values = try dtype.decode(bytes, offset: header.dataOffset, count: count, path: path)
        if header.fortranOrder && header.shape.count > 1 {
            values = fortranToC(values, shape: header.shape)
        }
        return (NpyArray(shape: header.shape, values: values, dtype: header.descr), header.dataOffset + needed)
    }

    /// Writes int64 elements (C order) atomically.
    public static func write(int64 values: [Int64], shape: [Int], to path: String, replacing kind: AtomicFile.Kind? = Npy.fileKind()) throws {
        try write(NpyArray(shape: shape, values: .int64(values)), to: path, replacing: kind)
    }

    /// Writes float64 elements (C order) atomically.
    public static func write(float64 values: [Double], shape: [Int], to path: String, replacing kind: AtomicFile.Kind? = Npy.fileKind()) throws {
        try write(NpyArray(shape: shape, values: .float64(values)), to: path, replacing: kind)
    }

    /// Writes float32 elements (C order) atomically.
    public static func write(float32 values: [Float], shape: [Int], to path: String, replacing kind: AtomicFile.Kind? = Npy.fileKind()) throws {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) needs \(shape.reduce(1, *)) elements, got \(values.count)")
        var body = [UInt8]()
        body.reserveCapacity(values.count * 4)
        for v in values { appendLittleEndian(v.bitPattern, to: &body) }
        try writeAtomically(NpyHeader.encode(descr: "<f4", shape: shape) + body, to: path, replacing: kind)
    }

    /// Writes float32 elements (C order) atomically as `fill` hands them over, a part at a time
    /// (`qlx decode`: one batch of images each), so the whole array is never held in memory.
    /// The parts must add up to the shape's element count.
    public static func write(float32Shape shape: [Int], to path: String, replacing kind: AtomicFile.Kind? = nil,
                             _ fill: (_ append: ([Float]) throws -> Void) throws -> Void) throws {
        let total = shape.reduce(1, *)
        try naming(path) {
            try AtomicFile.write(to: path, replacing: kind) { handle in
                try handle.write(contentsOf: NpyHeader.encode(descr: "<f4", shape: shape))
                var written = 0
                try fill { part in
                    precondition(written + part.count <= total, "more elements than shape \(shape) holds")
                    var body = [UInt8]()
                    body.reserveCapacity(part.count * 4)
                    for v in part { appendLittleEndian(v.bitPattern, to: &body) }
                    try handle.write(contentsOf: body)
                    written += part.count
                }
                precondition(written == total, "shape \(shape) needs \(total) elements, got \(written)")
            }
        }
    }

    /// Writes an array as little-endian int64 or float64, C order, atomically.
    public static func write(_ array: NpyArray, to path: String, replacing kind: AtomicFile.Kind? = Npy.fileKind()) throws {
        try writeAtomically(encode(array), to: path, replacing: kind)
    }

    /// The bytes of an .npy file holding `array` (little-endian int64 or float64, C order).
    public static func encode(_ array: NpyArray) -> [UInt8] {
        var body = [UInt8]()
        body.reserveCapacity(array.count * 8)
        switch array.values {
        case .int64(let values):
            for v in values { appendLittleEndian(UInt64(bitPattern: v), to: &body) }
            return NpyHeader.encode(descr: "<i8", shape: array.shape) + body
        case .float64(let values):
            for v in values { appendLittleEndian(v.bitPattern, to: &body) }
            return NpyHeader.encode(descr: "<f8", shape: array.shape) + body
        }
    }

    /// .npy files: what an .npy output replaces unless forced (`hint`: what to do instead).
    public static func fileKind(hint: String = AtomicFile.Kind.forceHint) -> AtomicFile.Kind {
        AtomicFile.Kind(name: "an .npy file", hint: hint, prefixLength: NpyHeader.magic.count) { $0 == NpyHeader.magic }
    }

    /// Checks before any work that `path` can be written (`AtomicFile.checkTarget`).
    public static func checkOutput(_ path: String, replacing kind: AtomicFile.Kind? = Npy.fileKind()) throws {
        try naming(path) { _ = try AtomicFile.checkTarget(path, replacing: kind) }
    }

    /// Through QLXIO's one atomic writer: readers never see half a file.
    static func writeAtomically(_ bytes: [UInt8], to path: String, replacing kind: AtomicFile.Kind?) throws {
        try naming(path) { try AtomicFile.write(bytes, to: path, replacing: kind) }
    }

    /// QLXIO's write errors as .npy write errors.
    private static func naming(_ path: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as FileWriteError {
            throw DataError.npyWriteFailed(path: path, reason: error.reason)
        }
    }
}

@inline(__always)
func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    var v = value.littleEndian
    withUnsafeBytes(of: &v) { bytes.append(contentsOf: $0) }
}

/// Reorders elements stored in Fortran (column-major) order into C (row-major) order.
func fortranToC(_ values: NpyValues, shape: [Int]) -> NpyValues {
    let count = shape.reduce(1, *)
    // Fortran strides: the first index varies fastest.
    var fortranStrides = [Int](repeating: 1, count: shape.count)
    for d in 1..<shape.count { fortranStrides[d] = fortranStrides[d - 1] * shape[d - 1] }
    var sourceIndex = [Int](repeating: 0, count: count)
    var index = [Int](repeating: 0, count: shape.count)
    for c in 0..<count {
        var offset = 0
        for d in 0..<shape.count { offset += index[d] * fortranStrides[d] }
        sourceIndex[c] = offset
        // Advance the C-order multi-index (last index fastest).
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { break }
            index[d] = 0
            d -= 1
        }
    }
    switch values {
    case .int64(let v): return .int64(sourceIndex.map { v[$0] })
    case .float64(let v): return .float64(sourceIndex.map { v[$0] })
    }
}
