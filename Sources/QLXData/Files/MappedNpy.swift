import Foundation
import QLXIO

/// An .npy file read in place through a memory map: its header is parsed, its elements stay
/// on disk until touched, so a 3 GB image array costs only the pages a request reads.
public struct MappedNpy: @unchecked Sendable {
    public let path: String
    public let shape: [Int]
    let dtype: NpyDType
    let file: MappedFile
    let dataOffset: Int
    /// Column-major storage (np.asfortranarray, or arrays numpy chose to save that way).
    public let fortranOrder: Bool

    /// `label` names the array in errors (an archive member) when `path` is a cache file.
    public init(path: String, label: String? = nil) throws {
        file = try MappedFile(path: path)
        self.path = label ?? path
        let path = self.path
        let headerBytes = [UInt8](file.bytes.prefix(min(file.bytes.count, 1 << 20)))
        let header = try NpyHeader.parse(headerBytes, path: path)
        dtype = try NpyDType(descriptor: header.descr, path: path)
        guard let count = SizeLimit.product(header.shape),
              case let (needed, false) = count.multipliedReportingOverflow(by: dtype.size) else {
            throw DataError.npyMalformed(path: path, reason: "shape \(header.shape) is too large")
        }
        let available = file.bytes.count - header.dataOffset
        guard available >= needed else {
            throw DataError.npyMalformed(path: path, reason: "expected \(needed) bytes of data for shape \(header.shape) of \(header.descr), found \(available)")
        }
        shape = header.shape
        dataOffset = header.dataOffset
        fortranOrder = header.fortranOrder && header.shape.count > 1
    }

    public var descriptor: String { dtype.descriptor }
    var fileSize: Int { file.bytes.count }
    public var isUInt8: Bool { dtype.kind == .unsigned && dtype.size == 1 }
    public var isFloat: Bool { dtype.kind == .float }
    public var isInteger: Bool { dtype.kind == .signed || dtype.kind == .unsigned || dtype.kind == .bool }

    /// Elements [start, start + count) widened to Float (row-major order).
    func floats(from start: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        let base = file.bytes.baseAddress! + dataOffset + start * dtype.size
        switch (dtype.kind, dtype.size, dtype.bigEndian) {
        case (.unsigned, 1, _):
            let p = base.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out[i] = Float(p[i]) }
        case (.float, 4, false):
            for i in 0..<count { out[i] = base.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case (.float, 8, false):
            for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        default:
            for i in 0..<count { out[i] = Float(dtype.double(base, i)) }
        }
    }

    /// Element `index` (counted in row-major order whatever the storage order) as Double, any
    /// supported dtype and byte order.
    func double(at index: Int) -> Double {
        var offset = index
        if fortranOrder {
            // Row-major multi-index → column-major position.
            var rest = index, step = 1
            var position = [Int](repeating: 0, count: shape.count)
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                position[axis] = rest % shape[axis]
                rest /= shape[axis]
            }
            offset = 0
            for axis in shape.indices { offset += position[axis] * step; step *= shape[axis] }
        }
        return dtype.double(file.bytes.baseAddress! + dataOffset, offset)
    }
}
