import QLXCore
import QLXIO

extension SafetensorsFile {
    /// Writes the tensors as F32 to `path` atomically: the bytes go to a temporary file in the
    /// same directory, which is flushed and renamed over `path` only when complete, so a reader
    /// never sees a half-written checkpoint. The temporary file is removed on any failure.
    public func write(to path: String) throws {
        let bytes: [UInt8]
        do { bytes = try encoded() } catch let reason as SafetensorsEncodingError {
            throw ModelError.writeFailed(path: path, reason: reason.description)
        }
        do { try AtomicFile.write(bytes, to: path) } catch let error as FileWriteError {
            throw ModelError.writeFailed(path: path, reason: error.reason)
        }
    }

    /// The complete file: length, header (tensors sorted by name, `__metadata__` first, padded
    /// with spaces to a multiple of 8 so the data section is 8-byte aligned) and F32 data.
    public func encoded() throws -> [UInt8] {
        let names = tensors.keys.sorted()
        for name in names where name.isEmpty || name == "__metadata__" {
            throw SafetensorsEncodingError(description: "tensor name \(quoted(name)) is reserved or empty")
        }
        var header = "{"
        var members: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(SafetensorsJSON.quoted($0)):\(SafetensorsJSON.quoted(metadata[$0]!))" }
            members.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let end = offset + 4 * tensor.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            members.append("\(SafetensorsJSON.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += members.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out += $0 }
        out += headerBytes
        for name in names {
            tensors[name]!.data.withUnsafeBufferPointer { values in
                #if _endian(little)
                out += UnsafeRawBufferPointer(values)
                #else
                for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { out += $0 } }
                #endif
            }
        }
        return out
    }
}

struct SafetensorsEncodingError: Error, CustomStringConvertible {
    let description: String
}
