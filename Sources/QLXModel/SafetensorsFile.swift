#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QLXCore
import QLXIO

/// The contents of a safetensors file (the Hugging Face format): named tensors plus the
/// string-to-string `__metadata__` map. Layout on disk:
///
///     [u64 little-endian N] [N bytes of JSON header] [data section]
///
/// The header maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]},
/// offsets relative to the start of the data section. See docs/checkpoint-format.md.
public struct SafetensorsFile: Sendable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]
    /// The element type each tensor had on disk (F32 for everything qlx writes).
    public var storedDTypes: [String: SafetensorsDType]

    /// A header larger than this is refused before it is read. Real headers are a few KB;
    /// the Rust reference library uses the same 100 MB cap.
    public static let maximumHeaderSize = 100_000_000

    public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
        self.storedDTypes = tensors.mapValues { _ in .f32 }
    }

    /// Reads and checks a whole file. Throws ModelError naming `path` and, where it applies,
    /// the tensor: missing path, a directory, a file too short for its header, a header that
    /// is not a JSON object of the expected form, unsupported dtypes, tensors whose byte
    /// ranges disagree with their shapes, fall outside the data section, or overlap.
    public static func read(from path: String) throws -> SafetensorsFile {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError.fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw ModelError.notAFile(path: path) }
        let handle: FileHandle
        do { handle = FileHandle(fileDescriptor: try InputFile.open(path), closeOnDealloc: true) } catch let error as FileReadError {
            throw ModelError.unreadable(path: path, reason: error.reason)
        }
        defer { try? handle.close() }
        do {
            let fileSize = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            guard fileSize >= 8 else {
                throw ModelError.malformed(path: path, reason: "file is \(fileSize) bytes, expected at least 8 (the header length)")
            }
            let prefix = try readExactly(handle, count: 8, path: path)
            let headerLength = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            guard headerLength <= UInt64(fileSize - 8) else {
                throw ModelError.malformed(path: path, reason: "header length \(headerLength) exceeds the \(fileSize - 8) bytes after the length field (truncated file?)")
            }
            guard headerLength <= UInt64(maximumHeaderSize) else {
                throw ModelError.malformed(path: path, reason: "header length \(headerLength) exceeds the \(maximumHeaderSize)-byte limit")
            }
            // Parsed where it was read (no copy), and freed before the data section is read.
            let entries = try readExactly(handle, count: Int(headerLength), path: path).withUnsafeBytes { header in
                try SafetensorsHeader.parse(header.bindMemory(to: UInt8.self), dataSize: fileSize - 8 - Int(headerLength), path: path)
            }
            let data = try readExactly(handle, count: fileSize - 8 - Int(headerLength), path: path)
            return data.withUnsafeBytes { raw in
                var file = SafetensorsFile(tensors: [:], metadata: entries.metadata)
                for entry in entries.tensors {
                    let values = entry.dtype.decode(raw, offset: entry.begin, count: entry.elementCount)
                    file.tensors[entry.name] = Tensor(shape: entry.shape, data: values)
                    file.storedDTypes[entry.name] = entry.dtype
                }
                return file
            }
        } catch let error as ModelError {
            throw error
        } catch {
            throw ModelError.unreadable(path: path, reason: "\(error)")
        }
    }

    private static func readExactly(_ handle: FileHandle, count: Int, path: String) throws -> Data {
        if count == 0 { return Data() }
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else {
            throw ModelError.malformed(path: path, reason: "file ended early: expected \(count) more bytes, found \(data.count) (it changed while being read?)")
        }
        return data
    }
}

/// One tensor's header entry after checking.
struct SafetensorsEntry {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let elementCount: Int
    let begin: Int
    let end: Int
}

/// Parsing and checking the JSON header against the size of the data section.
enum SafetensorsHeader {
    /// Gaps between tensors and unused trailing bytes are tolerated (they waste space but
    /// cannot make a tensor read wrong values); overlaps and out-of-range offsets are not.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, dataSize: Int, path: String) throws
        -> (tensors: [SafetensorsEntry], metadata: [String: String]) {
        func malformed(_ reason: String) -> ModelError { .malformed(path: path, reason: reason) }
        let json: SafetensorsJSON
        do { json = try SafetensorsJSONParser.parse(bytes) } catch { throw malformed("\(error)") }
        guard case .object(let members) = json else {
            throw malformed("header is \(json.kindName), expected a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, malformed: malformed)
                continue
            }
            let entry = try parseEntry(name: name, value, dataSize: dataSize, malformed: malformed)
            entries.append(entry)
        }
        // Overlaps: in offset order, each non-empty tensor must start at or after the previous end.
        let ordered = entries.filter { $0.end > $0.begin }.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.begin < previous.end {
            throw malformed("tensor \(escaped(next.name, limit: 80)): bytes [\(next.begin), \(next.end)) overlap tensor \(escaped(previous.name, limit: 80)) at [\(previous.begin), \(previous.end))")
        }
        return (entries.sorted { $0.name < $1.name }, metadata)
    }

    private static func parseMetadata(_ value: SafetensorsJSON,
                                      malformed: (String) -> ModelError) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw malformed("__metadata__ is \(value.kindName), expected an object of strings")
        }
        var metadata: [String: String] = [:]
        for (key, item) in members {
            guard case .string(let text) = item else {
                throw malformed("__metadata__ key \(escaped(key, limit: 80)): expected a string, found \(item.kindName)")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: SafetensorsJSON, dataSize: Int,
                                   malformed: (String) -> ModelError) throws -> SafetensorsEntry {
        guard case .object(let fields) = value else {
            throw malformed("tensor \(escaped(name, limit: 80)): expected an object with dtype, shape and data_offsets, found \(value.kindName)")
        }
        func field(_ key: String) throws -> SafetensorsJSON {
            guard let found = fields.first(where: { $0.key == key }) else {
                throw malformed("tensor \(escaped(name, limit: 80)): missing \"\(key)\"")
            }
            return found.value
        }
        guard case .string(let dtypeName) = try field("dtype") else {
            throw malformed("tensor \(escaped(name, limit: 80)): dtype must be a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw malformed("tensor \(escaped(name, limit: 80)): unsupported dtype \(escaped(dtypeName, limit: 80)) (expected F32, F16 or BF16)")
        }
        guard case .array(let dims) = try field("shape") else {
            throw malformed("tensor \(escaped(name, limit: 80)): shape must be an array of non-negative integers")
        }
        let shape = try dims.map { dim in
            guard let size = dim.nonNegativeInt else {
                throw malformed("tensor \(escaped(name, limit: 80)): shape must be an array of non-negative integers")
            }
            return size
        }
        guard let elementCount = SizeLimit.product(shape) else {
            throw malformed("tensor \(escaped(name, limit: 80)): shape \(shape) has too many elements (more than 2⁶³)")
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt else {
            throw malformed("tensor \(escaped(name, limit: 80)): data_offsets must be [begin, end] with non-negative integers")
        }
        guard begin <= end, end <= dataSize else {
            throw malformed("tensor \(escaped(name, limit: 80)): data_offsets [\(begin), \(end)] fall outside the \(dataSize)-byte data section")
        }
        let (expectedBytes, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, end - begin == expectedBytes else {
            throw malformed("tensor \(escaped(name, limit: 80)): shape \(shape) as \(dtype.rawValue) needs \(expectedBytes) bytes, data_offsets [\(begin), \(end)] hold \(end - begin)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, elementCount: elementCount, begin: begin, end: end)
    }
}
