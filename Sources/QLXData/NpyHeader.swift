import QLXIO

/// The header of an .npy file: format version, dtype descriptor, memory order and shape.
struct NpyHeader {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    var descr: String
    var fortranOrder: Bool
    var shape: [Int]
    /// Where the elements start.
    var dataOffset: Int

    /// Parses the header of the .npy record that starts at `bytes[start]` (0 for a plain .npy
    /// file; later offsets for records concatenated in one file, as Equinox writes them).
    /// `dataOffset` is absolute.
    static func parse(_ bytes: [UInt8], at start: Int = 0, path: String) throws -> NpyHeader {
        let (headerStart, headerLength) = try headerRange(bytes, at: start, path: path)
        guard bytes.count >= headerStart + headerLength else {
            throw DataError.npyMalformed(path: path, reason: "header of \(headerLength) bytes runs past the end of the file" + at(start))
        }
        // Versions 1 and 2 use latin-1, version 3 UTF-8; the keys and values we read are ASCII.
        let text = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        var parser = DictLiteralParser(text: text, path: path)
        let entries = try parser.parseDict()
        return try header(entries, text: text, dataOffset: headerStart + headerLength, path: path)
    }

    /// Where the header text of the record at `bytes[start]` lies, from its magic string,
    /// version and length field (the first 10 or 12 bytes; `bytes` need not hold the text).
    static func headerRange(_ bytes: [UInt8], at start: Int, path: String) throws -> (start: Int, length: Int) {
        guard bytes.count - start >= 10, Array(bytes[start..<(start + 6)]) == magic else {
            throw DataError.npyMalformed(path: path, reason: "missing the \\x93NUMPY magic string" + at(start))
        }
        let major = bytes[start + 6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[start + 8]) | Int(bytes[start + 9]) << 8
            headerStart = start + 10
        case 2, 3:
            guard bytes.count - start >= 12 else { throw DataError.npyMalformed(path: path, reason: "truncated header" + at(start)) }
            headerLength = Int(bytes[start + 8]) | Int(bytes[start + 9]) << 8 | Int(bytes[start + 10]) << 16
                | Int(bytes[start + 11]) << 24
            headerStart = start + 12
        default:
            throw DataError.npyMalformed(path: path, reason: "format version \(major).\(bytes[start + 7]); expected 1.0, 2.0 or 3.0" + at(start))
        }
        return (headerStart, headerLength)
    }

    private static func header(_ entries: [String: DictLiteralParser.Value], text: String, dataOffset: Int, path: String) throws -> NpyHeader {
        guard case .string(let descr)? = entries["descr"] else {
            if case .other(let raw)? = entries["descr"], raw.hasPrefix("[") {
                throw DataError.npyUnsupportedDType(path: path, dtype: "structured \(raw)")
            }
            throw DataError.npyMalformed(path: path, reason: "header has no 'descr' string: \(quoted(text))")
        }
        guard case .bool(let fortran)? = entries["fortran_order"] else {
            throw DataError.npyMalformed(path: path, reason: "header has no 'fortran_order' flag: \(quoted(text))")
        }
        guard case .tuple(let shape)? = entries["shape"] else {
            throw DataError.npyMalformed(path: path, reason: "header has no 'shape' tuple: \(quoted(text))")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw DataError.npyMalformed(path: path, reason: "negative dimension in shape \(shape)")
        }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape, dataOffset: dataOffset)
    }

    private static func at(_ start: Int) -> String { start == 0 ? "" : " (record at byte \(start))" }

    /// Version 1.0 header bytes (2.0 when longer than 65,535 bytes), padded with spaces and a
    /// newline so the data starts at a multiple of 64 bytes, as NumPy writes it.
    static func encode(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        var prefixLength = 10
        var total = prefixLength + dict.utf8.count + 1
        var padded = (total + 63) / 64 * 64
        if padded - prefixLength > 65_535 {
            prefixLength = 12
            total = prefixLength + dict.utf8.count + 1
            padded = (total + 63) / 64 * 64
        }
        let headerLength = padded - prefixLength
        let header = dict + String(repeating: " ", count: headerLength - dict.utf8.count - 1) + "\n"
        var bytes = magic
        if prefixLength == 10 {
            bytes += [1, 0, UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)]
        } else {
            bytes += [2, 0] + (0..<4).map { UInt8((headerLength >> (8 * $0)) & 0xFF) }
        }
        return bytes + Array(header.utf8)
    }
}

/// Just enough of Python's literal syntax for .npy headers: a dict of string keys to
/// strings, True/False and tuples of integers; anything else is kept as raw text.
struct DictLiteralParser {
    enum Value: Equatable {
        case string(String), bool(Bool), tuple([Int]), other(String)
    }

    let characters: [Character]
    let path: String
    var position = 0

    init(text: String, path: String) {
        characters = Array(text)
        self.path = path
    }

    mutating func parseDict() throws -> [String: Value] {
        skipSpace()
        try expect("{")
        var entries: [String: Value] = [:]
        while true {
            skipSpace()
            if peek() == "}" { position += 1; return entries }
            let key = try parseString()
            skipSpace()
            try expect(":")
            skipSpace()
            entries[key] = try parseValue()
            skipSpace()
            if peek() == "," { position += 1; continue }
            skipSpace()
            try expect("}")
            return entries
        }
    }

    private mutating func parseValue() throws -> Value {
        switch peek() {
        case "'", "\"":
            return .string(try parseString())
        case "(":
            position += 1
            var dims: [Int] = []
            while true {
                skipSpace()
                if peek() == ")" { position += 1; return .tuple(dims) }
                var digits = ""
                while let c = peek(), c.isNumber || c == "-" { digits.append(c); position += 1 }
                // Python 2 era files may write long integers as 3L.
                if peek() == "L" { position += 1 }
                guard let value = Int(digits) else { throw malformed("expected an integer in the shape tuple") }
                dims.append(value)
                skipSpace()
                if peek() == "," { position += 1 }
            }
        default:
            var raw = ""
            var depth = 0
            while let c = peek() {
                if depth == 0 && (c == "," || c == "}") { break }
                if c == "[" || c == "(" || c == "{" { depth += 1 }
                if c == "]" || c == ")" || c == "}" { depth -= 1 }
                raw.append(c)
                position += 1
            }
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed == "True" { return .bool(true) }
            if trimmed == "False" { return .bool(false) }
            return .other(trimmed)
        }
    }

    private mutating func parseString() throws -> String {
        guard let quote = peek(), quote == "'" || quote == "\"" else { throw malformed("expected a quoted string") }
        position += 1
        var result = ""
        while let c = peek(), c != quote {
            result.append(c)
            position += 1
        }
        try expect(quote)
        return result
    }

    private func peek() -> Character? { position < characters.count ? characters[position] : nil }

    private mutating func skipSpace() {
        while let c = peek(), c.isWhitespace { position += 1 }
    }

    private mutating func expect(_ c: Character) throws {
        guard peek() == c else { throw malformed("expected '\(c)' at offset \(position) of the header") }
        position += 1
    }

    private func malformed(_ reason: String) -> DataError {
        DataError.npyMalformed(path: path, reason: reason)
    }
}
