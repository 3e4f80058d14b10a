import QLXIO
import CZlibSystem
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Writes 8-bit grayscale or RGB PNG files: one IDAT chunk compressed by the system zlib,
/// filter type 0 (none) on every row, no interlacing.
public enum PNGWriter {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file for `bytes` (row-major, channels interleaved; 1 = gray, 3 = RGB).
    public static func encode(width: Int, height: Int, channels: Int, bytes: [UInt8]) throws -> [UInt8] {
        guard width > 0, height > 0, width <= 1 << 24, height <= 1 << 24 else {
            throw RenderError.invalidImage(reason: "PNG size \(width)×\(height) must be 1…16777216 on each side")
        }
        guard channels == 1 || channels == 3 else {
            throw RenderError.invalidImage(reason: "PNG channels must be 1 (gray) or 3 (RGB), found \(channels)")
        }
        guard bytes.count == width * height * channels else {
            throw RenderError.invalidImage(reason: "\(width)×\(height)×\(channels) PNG needs \(width * height * channels) bytes, found \(bytes.count)")
        }
        var header: [UInt8] = []
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        header += [8, channels == 1 ? 0 : 2, 0, 0, 0]   // depth 8, colour type, deflate, filter set 0, no interlace

        // Each row: filter byte 0, then the row's bytes.
        let rowBytes = width * channels
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        for y in 0..<height {
            let dst = y * (rowBytes + 1) + 1, src = y * rowBytes
            raw.replaceSubrange(dst..<(dst + rowBytes), with: bytes[src..<(src + rowBytes)])
        }

        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", try deflate(raw), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// PNG files (their 8-byte signature): what a PNG output replaces unless forced.
    public static let fileKind = AtomicFile.Kind(name: "a PNG file", prefixLength: 8) { $0 == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] }

    /// Writes `bytes` as a PNG file, atomically (a temporary file beside it, then rename); an
    /// existing file is replaced only if it is of `kind` (nil: any file).
    public static func write(width: Int, height: Int, channels: Int, bytes: [UInt8], to path: String,
                             replacing kind: AtomicFile.Kind? = fileKind) throws {
        try writeAtomically(encode(width: width, height: height, channels: channels, bytes: bytes), to: path, replacing: kind)
    }

    /// Writes a [0, 1] float image (values rounded to the nearest of 256 levels, clamped).
    public static func write(_ image: RenderImage, to path: String, replacing kind: AtomicFile.Kind? = fileKind) throws {
        try write(width: image.width, height: image.height, channels: image.channels,
                  bytes: image.pixels.map(ColorQuantizer.byte), to: path, replacing: kind)
    }

    static func deflate(_ data: [UInt8]) throws -> [UInt8] {
        var destinationLength = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(destinationLength))
        let status = out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &destinationLength, src.baseAddress, uLong(data.count), Z_BEST_COMPRESSION)
            }
        }
        guard status == Z_OK else {
            throw RenderError.invalidImage(reason: "zlib compress2 failed with status \(status)")
        }
        out.removeSubrange(Int(destinationLength)...)
        return out
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        appendBigEndian(UInt32(data.count), to: &file)
        let typeAndData = Array(type.utf8) + data
        file += typeAndData
        let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        appendBigEndian(UInt32(crc), to: &file)
    }

    static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}

/// Checks before any work that an image can be written to `path` (`AtomicFile.checkTarget`).
public func checkImageOutput(_ path: String, replacing kind: AtomicFile.Kind?) throws {
    do { try AtomicFile.checkTarget(path, replacing: kind) } catch let error as FileWriteError {
        throw RenderError.cannotWrite(path: path, reason: error.reason)
    }
}

/// Writes a whole file or nothing, through QLXIO's one atomic writer.
public func writeAtomically(_ bytes: [UInt8], to path: String, replacing kind: AtomicFile.Kind?) throws {
    do { try AtomicFile.write(bytes, to: path, replacing: kind) } catch let error as FileWriteError {
        throw RenderError.cannotWrite(path: path, reason: error.reason)
    }
}
