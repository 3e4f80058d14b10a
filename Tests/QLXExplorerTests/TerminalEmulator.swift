import Foundation
import QLXRender

/// A small terminal emulator for checking what the explorer's bytes leave on a screen: text
/// cells, sixel pixels (as the cells they cover, erased by text, erase commands and clears,
/// as in xterm), and kitty placements (above the text, removed by deletes and by clearing the
/// screen, which also frees their images, as in kitty). It follows what ncurses sends for
/// xterm-256color: cursor moves, erases, scrolling, save/restore cursor, and tmux's
/// passthrough wrapper. After a sixel the cursor lands below the image (xterm's sixel
/// scrolling mode); after a kitty command with C=1 it stays.
struct TerminalEmulator {
    let width: Int, height: Int
    let cell: CellPixels
    private(set) var text: [[Character]]
    /// The sixel image (its number in `sixels`) each cell shows, nil for text only.
    private(set) var sixelCell: [[Int?]]
    private(set) var sixels: [(row: Int, column: Int, sequence: String)] = []
    /// Kitty placements by (image id, placement id).
    private(set) var placements: [PlacementKey: KittyPlacement] = [:]
    /// Kitty images by id: the base64 payload transmitted.
    private(set) var kittyImages: [Int: String] = [:]
    private(set) var problems: [String] = []

    struct PlacementKey: Hashable { var image: Int, placement: Int }
    struct KittyPlacement: Equatable { var row: Int, column: Int, columns: Int, rows: Int }

    private var row = 0, column = 0
    private var saved = (row: 0, column: 0)
    private var wrapPending = false
    private var top = 0, bottom: Int
    private var lastPrinted: Character = " "
    private var graphicsCharset = false
    private var pendingTransmission: (keys: [String: String], payload: String)?

    init(width: Int, height: Int, cell: CellPixels) {
        self.width = width
        self.height = height
        self.cell = cell
        text = Array(repeating: Array(repeating: " ", count: width), count: height)
        sixelCell = Array(repeating: Array(repeating: nil, count: width), count: height)
        bottom = height - 1
    }

    /// The screen's text, one string per row.
    var rows: [String] { text.map { String($0) } }

    mutating func feed(_ bytes: [UInt8]) {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "\u{1B}":
                i = escape(scalars, from: i + 1)
                continue
            case "\r": column = 0; wrapPending = false
            case "\n": lineFeed()
            case "\u{8}": column = max(0, column - 1); wrapPending = false
            case "\t": column = min(width - 1, (column / 8 + 1) * 8); wrapPending = false
            case "\u{7}", "\u{0}", "\u{F}", "\u{E}": break
            default:
                if c.value < 32 { problems.append("control \(c.value)") } else { put(Character(c)) }
            }
            i += 1
        }
    }

    private mutating func put(_ character: Character) {
        var character = character
        if graphicsCharset, let mapped = Self.decGraphics[character] { character = mapped }
        if wrapPending {
            column = 0
            lineFeed()
        }
        text[row][column] = character
        sixelCell[row][column] = nil
        lastPrinted = character
        if column == width - 1 { wrapPending = true } else { column += 1 }
    }

    static let decGraphics: [Character: Character] = ["q": "─", "x": "│", "l": "┌", "k": "┐", "m": "└", "j": "┘",
                                                      "n": "┼", "t": "├", "u": "┤", "v": "┴", "w": "┬", "a": "▒"]

    private mutating func lineFeed() {
        wrapPending = false
        if row == bottom { scrollUp(1) } else { row = min(height - 1, row + 1) }
    }

    /// Lines top…bottom move up `n` (kitty placements and sixel pixels with them).
    private mutating func scrollUp(_ n: Int) {
        for _ in 0..<n {
            text.remove(at: top); text.insert(Array(repeating: " ", count: width), at: bottom)
            sixelCell.remove(at: top); sixelCell.insert(Array(repeating: nil, count: width), at: bottom)
            for (key, var p) in placements where p.row >= top && p.row <= bottom { p.row -= 1; placements[key] = p }
        }
    }

    private mutating func scrollDown(_ n: Int) {
        for _ in 0..<n {
            text.remove(at: bottom); text.insert(Array(repeating: " ", count: width), at: top)
            sixelCell.remove(at: bottom); sixelCell.insert(Array(repeating: nil, count: width), at: top)
            for (key, var p) in placements where p.row >= top && p.row <= bottom { p.row += 1; placements[key] = p }
        }
    }

    private mutating func erase(row r: Int, from start: Int, to end: Int) {
        guard r >= 0 && r < height else { return }
        for x in max(0, start)..<min(width, end) { text[r][x] = " "; sixelCell[r][x] = nil }
    }

    /// Parses the sequence after an ESC at `i`; returns the index after it.
    private mutating func escape(_ s: [Unicode.Scalar], from i: Int) -> Int {
        guard i < s.count else { return i }
        switch s[i] {
        case "[":
            var j = i + 1, parameters = ""
            while j < s.count, !(0x40...0x7E).contains(s[j].value) { parameters.unicodeScalars.append(s[j]); j += 1 }
            guard j < s.count else { return j }
            csi(parameters, final: Character(s[j]))
            return j + 1
        case "7": saved = (row, column); return i + 1
        case "8": (row, column) = saved; wrapPending = false; return i + 1
        case "(":
            if i + 1 < s.count { graphicsCharset = s[i + 1] == "0" }
            return i + 2
        case ")", "*", "+": return i + 2
        case "D": lineFeed(); return i + 1
        case "E": column = 0; lineFeed(); return i + 1
        case "M":
            if row == top { scrollDown(1) } else { row = max(0, row - 1) }
            return i + 1
        case "=", ">", "\\": return i + 1
        case "P", "_", "]":
            // A string up to ST (ESC \) or, for OSC, BEL.
            var j = i + 1, body = ""
            while j < s.count {
                // Inside tmux's wrapper an ESC of the wrapped sequence comes doubled.
                if s[j] == "\u{1B}" && j + 1 < s.count && s[j + 1] == "\u{1B}" && body.hasPrefix("tmux;") {
                    body.unicodeScalars.append(s[j]); body.unicodeScalars.append(s[j + 1])
                    j += 2
                    continue
                }
                if s[j] == "\u{1B}" && j + 1 < s.count && s[j + 1] == "\\" { break }
                if s[i] == "]" && s[j] == "\u{7}" { break }
                body.unicodeScalars.append(s[j])
                j += 1
            }
            let end = j < s.count && s[j] == "\u{7}" ? j + 1 : j + 2
            if s[i] == "P" { deviceControl(body) } else if s[i] == "_" { applicationCommand(body) }
            return end
        default:
            problems.append("ESC \(s[i])")
            return i + 1
        }
    }

    private mutating func deviceControl(_ body: String) {
        if body.hasPrefix("tmux;") {
            // The wrapped sequence, with its ESCs doubled.
            let inner = String(body.dropFirst(5)).replacingOccurrences(of: "\u{1B}\u{1B}", with: "\u{1B}")
            feed(Array(inner.utf8))
            return
        }
        guard let q = body.firstIndex(of: "q") else { return problems.append("DCS \(body.prefix(10))") }
        let sixel = String(body[body.index(after: q)...])
        // Raster attributes "Pan;Pad;Ph;Pv give the size.
        guard sixel.hasPrefix("\""), let end = sixel.firstIndex(where: { $0 == "#" || $0 == "-" || $0 == "!" || ($0 >= "?" && $0 <= "~") }) else {
            return problems.append("sixel without a size")
        }
        let numbers = sixel[sixel.index(after: sixel.startIndex)..<end].split(separator: ";").compactMap { Int($0) }
        guard numbers.count == 4 else { return problems.append("sixel raster \(numbers)") }
        let columns = (numbers[2] + cell.width - 1) / cell.width, rowsHigh = (numbers[3] + cell.height - 1) / cell.height
        let index = sixels.count
        sixels.append((row, column, "\u{1B}P" + body + "\u{1B}\\"))
        for y in row..<min(height, row + rowsHigh) {
            for x in column..<min(width, column + columns) { sixelCell[y][x] = index }
        }
        if row + rowsHigh > height { problems.append("a sixel runs off the screen (it would scroll)") }
        row = min(height - 1, row + rowsHigh)
        wrapPending = false
    }

    private mutating func applicationCommand(_ body: String) {
        guard body.hasPrefix("G") else { return problems.append("APC \(body.prefix(10))") }
        let parts = body.dropFirst().split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        var keys: [String: String] = [:]
        for pair in parts[0].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { keys[String(kv[0])] = String(kv[1]) }
        }
        let payload = parts.count > 1 ? String(parts[1]) : ""
        if var pending = pendingTransmission {
            pending.payload += payload
            if keys["m"] == "1" { pendingTransmission = pending; return }
            pendingTransmission = nil
            return kittyCommand(pending.keys, payload: pending.payload)
        }
        if keys["m"] == "1" { pendingTransmission = (keys, payload); return }
        kittyCommand(keys, payload: payload)
    }

    private mutating func kittyCommand(_ keys: [String: String], payload: String) {
        let action = keys["a"] ?? "t"
        let id = Int(keys["i"] ?? "0") ?? 0, placement = Int(keys["p"] ?? "0") ?? 0
        switch action {
        case "t", "T":
            kittyImages[id] = payload
            if action == "T" { place(id: id, placement: placement, keys: keys) }
        case "p":
            guard kittyImages[id] != nil else { return problems.append("placement of image \(id), which the terminal does not have") }
            place(id: id, placement: placement, keys: keys)
        case "d":
            switch keys["d"] ?? "a" {
            case "a", "A":
                let freed = Set(placements.keys.map(\.image))
                placements.removeAll()
                if keys["d"] == "A" { for id in freed { kittyImages[id] = nil } }
            case "i", "I":
                for key in placements.keys where key.image == id && (placement == 0 || key.placement == placement) {
                    placements[key] = nil
                }
                if keys["d"] == "I" { kittyImages[id] = nil }
            default: problems.append("kitty delete \(keys["d"]!)")
            }
        case "q": break
        default: problems.append("kitty action \(action)")
        }
    }

    private mutating func place(id: Int, placement: Int, keys: [String: String]) {
        guard let columns = keys["c"].flatMap({ Int($0) }), let rows = keys["r"].flatMap({ Int($0) }) else {
            return problems.append("kitty placement without columns and rows")
        }
        placements[PlacementKey(image: id, placement: placement)] = KittyPlacement(row: row, column: column, columns: columns, rows: rows)
        if keys["C"] != "1" { row = min(height - 1, row + rows); column = 0 }
    }

    private mutating func csi(_ parameters: String, final: Character) {
        if parameters.hasPrefix("?") || parameters.hasPrefix(">") || parameters.hasPrefix("=") { return }
        let values = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        func value(_ k: Int, _ fallback: Int) -> Int { k < values.count ? (values[k] ?? fallback) : fallback }
        let n = max(1, value(0, 1))
        if final != "m" { wrapPending = false }
        switch final {
        case "H", "f": row = min(height - 1, max(1, value(0, 1)) - 1); column = min(width - 1, max(1, value(1, 1)) - 1)
        case "A": row = max(0, row - n)
        case "B": row = min(height - 1, row + n)
        case "C": column = min(width - 1, column + n)
        case "D": column = max(0, column - n)
        case "G", "`": column = min(width - 1, n - 1)
        case "d": row = min(height - 1, n - 1)
        case "E": row = min(height - 1, row + n); column = 0
        case "F": row = max(0, row - n); column = 0
        case "K":
            switch value(0, 0) {
            case 0: erase(row: row, from: column, to: width)
            case 1: erase(row: row, from: 0, to: column + 1)
            default: erase(row: row, from: 0, to: width)
            }
        case "J":
            switch value(0, 0) {
            case 0:
                erase(row: row, from: column, to: width)
                for r in row + 1..<height { erase(row: r, from: 0, to: width) }
            case 1:
                for r in 0..<row { erase(row: r, from: 0, to: width) }
                erase(row: row, from: 0, to: column + 1)
            default:
                for r in 0..<height { erase(row: r, from: 0, to: width) }
                // kitty: clearing the screen removes the placements and frees their images.
                for key in placements.keys { kittyImages[key.image] = nil }
                placements.removeAll()
            }
        case "X": erase(row: row, from: column, to: column + n)
        case "b": for _ in 0..<n { put(lastPrinted) }
        case "r": top = max(1, value(0, 1)) - 1; bottom = min(height, value(1, height)) - 1; row = 0; column = 0
        case "S": scrollUp(n)
        case "T": scrollDown(n)
        case "L", "M":
            let (savedTop, savedBottom) = (top, bottom)
            guard row >= top && row <= bottom else { return }
            top = row
            if final == "L" { scrollDown(n) } else { scrollUp(n) }
            (top, bottom) = (savedTop, savedBottom)
        case "@", "P": problems.append("insert/delete characters (CSI \(final))")
        case "m", "h", "l", "t", "c", "n", "s", "u", "i": break
        default: problems.append("CSI \(parameters)\(final)")
        }
    }
}
