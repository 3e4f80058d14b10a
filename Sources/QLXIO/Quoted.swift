/// The one way a value read from a file or typed by a user is shown inside a message:
/// between single quotes, on one line, with control bytes, quotes and backslashes escaped
/// (an escape sequence in a file must never reach the terminal), and cut to `limit`
/// characters with "…". `'\e[2J'` prints as `'\x1b[2J'`.
public func quoted(_ text: some StringProtocol, limit: Int = 80) -> String {
    "'" + escaped(text, limit: limit) + "'"
}

/// `text` on one line with control bytes escaped and cut to `limit` characters, unquoted
/// (for longer library messages, e.g. a JSON decoder's description).
public func escaped(_ text: some StringProtocol, limit: Int = 200) -> String {
    escape(text, limit: limit, quotesToo: true)
}

/// A whole message on one line for the terminal: control bytes (newlines among them) escaped
/// as in `quoted`, quotes and backslashes kept, nothing cut. The last guard of the one error
/// path, for a value that reached a message without `quoted` (a path with a newline).
public func oneLine(_ text: some StringProtocol) -> String {
    escape(text, limit: Int.max, quotesToo: false)
}

private func escape(_ text: some StringProtocol, limit: Int, quotesToo: Bool) -> String {
    var out = ""
    var shown = 0
    for scalar in text.unicodeScalars {
        if shown == limit { out += "…"; break }
        switch scalar {
        case "'" where quotesToo: out += "\\'"
        case "\\" where quotesToo: out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                out += "\\x" + String(scalar.value, radix: 16).leftPadded(to: 2)
            } else if scalar.properties.generalCategory == .format || (0x2028...0x2029).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        shown += 1
    }
    return out
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
