/// Escape sequences of the kitty graphics protocol
/// (https://sw.kovidgoyal.net/kitty/graphics-protocol/): an image goes as a PNG (our
/// `PNGWriter`) in base64 chunks of at most 4096 bytes, placed at the cursor without moving
/// it (`C=1`), with responses suppressed (`q=2`) so no reply lands in the key input.
public enum KittyGraphics {
    static let chunkSize = 4096

    /// Transmits and places `image` at the cursor as image `id` (replacing an earlier image of
    /// that id, and with it its placement, in one step: no blank frame in between). The cursor
    /// stays unless `movesCursor` (printing a figure inline).
    public static func place(_ image: PixelImage, id: Int, movesCursor: Bool = false) throws -> String {
        let png = try PNGWriter.encode(width: image.width, height: image.height, channels: image.channels,
                                       bytes: image.bytes)
        return chunked(Base64.encode(png), first: "a=T,f=100,i=\(id),p=1,\(movesCursor ? "" : "C=1,")q=2")
    }

    /// Deletes image `id` and frees its data.
    public static func delete(id: Int) -> String { "\u{1B}_Ga=d,d=I,i=\(id),q=2\u{1B}\\" }

    /// Transmits `image` as image `id` without showing it: `show` places it afterwards as
    /// often as needed, so an image on screen twice, or again later, is sent once.
    public static func transmit(_ image: PixelImage, id: Int) throws -> String {
        let png = try PNGWriter.encode(width: image.width, height: image.height, channels: image.channels,
                                       bytes: image.bytes)
        return chunked(Base64.encode(png), first: "a=t,f=100,i=\(id),q=2")
    }

    /// Shows transmitted image `id` at the cursor as placement `placement`, scaled by the
    /// terminal over `columns` × `rows` cells; the same image and placement ids move an
    /// earlier placement instead of adding one. The cursor stays.
    public static func show(id: Int, placement: Int, columns: Int, rows: Int) -> String {
        "\u{1B}_Ga=p,i=\(id),p=\(placement),c=\(columns),r=\(rows),C=1,q=2\u{1B}\\"
    }

    /// Removes placement `placement` of image `id`, keeping the image for later placements.
    public static func hide(id: Int, placement: Int) -> String {
        "\u{1B}_Ga=d,d=i,i=\(id),p=\(placement),q=2\u{1B}\\"
    }

    /// `payload` (base64) in chunks of at most `chunkSize` bytes, `first` the first chunk's keys.
    private static func chunked(_ payload: String, first: String) -> String {
        var out = ""
        var start = payload.startIndex
        var isFirst = true
        repeat {
            let end = payload.index(start, offsetBy: chunkSize, limitedBy: payload.endIndex) ?? payload.endIndex
            let more = end < payload.endIndex ? 1 : 0
            out += "\u{1B}_G\(isFirst ? first + "," : "")m=\(more)\(isFirst ? "" : ",q=2");\(payload[start..<end])\u{1B}\\"
            start = end
            isFirst = false
        } while start < payload.endIndex
        return out
    }

    /// Deletes every image this program placed (on exit, before a full repaint).
    public static let deleteAll = "\u{1B}_Ga=d,d=A,q=2\u{1B}\\"

    /// A query that only a kitty-protocol terminal answers (a 1×1 RGB image, not stored):
    /// "ESC _ G i=31;OK ESC \".
    public static let query = "\u{1B}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1B}\\"

    /// The base64 payloads of `sequence` joined (for tests: the PNG that was sent).
    public static func payload(of sequence: String) -> String {
        var result = ""
        for part in sequence.split(separator: "\u{1B}_G", omittingEmptySubsequences: true) {
            guard let semicolon = part.firstIndex(of: ";"), let end = part.firstRange(of: "\u{1B}\\") else { continue }
            result += part[part.index(after: semicolon)..<end.lowerBound]
        }
        return result
    }
}

/// RFC 4648 base64 with padding (kitty's payload encoding).
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [alphabet[Int(n >> 18)], alphabet[Int(n >> 12 & 63)]]
            out += rest == 2 ? [alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded base64; nil on any character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8: UInt32] = [:]
        for (i, c) in alphabet.enumerated() { values[c] = UInt32(i) }
        var out = [UInt8](), buffer: UInt32 = 0, bits = 0
        for c in text.utf8 where c != UInt8(ascii: "=") {
            guard let v = values[c] else { return nil }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(buffer >> UInt32(bits) & 0xFF))
            }
        }
        return out
    }
}
