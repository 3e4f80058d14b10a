import QLXCore
import QLXIO

extension SafetensorsFile {
    /// Writes the tensors as F32 to `path` atomically: the bytes go to a temporary file in the
    /// same directory, which is flushed and renamed over `path` only when complete, so a reader
    /// never sees a half-written checkpoint. The temporary file is removed on any failure.
    /// An existing file at `path` is replaced only if it is of `kind` (nil: any file).
    public func write(to path: String, replacing kind: AtomicFile.Kind? = SafetensorsFile.fileKind) throws {
        let bytes: [UInt8]
        do { bytes = try encoded() } catch let reason as SafetensorsEncodingError {
            throw ModelError.writeFailed(path: path, reason: reason.description)
        }
        do { try AtomicFile.write(bytes, to: path, replacing: kind) } catch let error as FileWriteError {
            throw ModelError.writeFailed(path: path, reason: error.reason)
        }
    }

    /// Checks before any work that a checkpoint can be written to `path` (`AtomicFile.checkTarget`).
    public static func checkOutput(_ path: String, replacing kind: AtomicFile.Kind? = fileKind) throws {
        do { try AtomicFile.checkTarget(path, replacing: kind) } catch let error as FileWriteError {
            throw ModelError.writeFailed(path: path, reason: error.reason)
        }
    }

    /// Safetensors files (a little-endian header length, then the JSON header's "{"): what a
    /// checkpoint output replaces unless forced.
    public static let fileKind = AtomicFile.Kind(name: "a .safetensors checkpoint", prefixLength: 9) { prefix in
        prefix.count == 9 && prefix[8] == UInt8(ascii: "{") && prefix[4..<8].allSatisfy { $0 == 0 }
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
