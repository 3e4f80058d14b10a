/// The bounds a config's YAML must keep before and while it becomes a tree. Two shapes of
/// text cost far more than their size:
/// - nesting: Yams' parser recurses once per level, so a 10 kB file of `[[[[…` overflows the
///   stack inside `Yams.compose`, before any depth check on the finished tree could run;
///   the raw text is scanned for an upper bound of its depth first (`checkNesting`);
/// - aliases: `*a` stands for the whole node anchored `&a`, so nine levels of ten aliases
///   name a billion values in under a kilobyte ("billion laughs"). Yams shares the anchored
///   node, cheaply; it is the conversion to config values that expands it, so that counts
///   every value it makes (`countValue`) and stops at `maximumValues`.
enum YAMLBounds {
    /// Reference configs nest a handful of levels; anything much deeper is hostile.
    static let maximumDepth = 64
    /// Values a config may expand to, aliases counted at their full size; real configs hold
    /// a few hundred.
    static let maximumValues = 100_000
    /// The largest config file read: wandb's and Hydra's are a few kilobytes.
    static let maximumBytes = 16 << 20

    /// Refuses text that could nest deeper than `maximumDepth`, from its characters alone.
    /// The estimate never falls below the real depth: every `[` or `{` counts as a level
    /// (also inside quotes and comments, where it is not one), and so does every deeper
    /// indentation and every block indicator (`- `, `? `, `: `) that starts a line's content
    /// (also inside block scalars). Real configs stay far below the bound either way.
    static func checkNesting(_ text: String, path: String) throws {
        var indentations: [Int] = []
        var flow = 0
        var deepest = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let bytes = Array(line)
            var position = 0
            if flow == 0 {
                while position < bytes.count, bytes[position] == UInt8(ascii: " ") { position += 1 }
                if position == bytes.count || bytes[position] == UInt8(ascii: "#") { continue }
                while let last = indentations.last, last > position { indentations.removeLast() }
                if indentations.last.map({ $0 < position }) ?? true { indentations.append(position) }
                // "- - - x": each indicator opens a collection on the same line.
                while position < bytes.count, [UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":")].contains(bytes[position]),
                      position + 1 == bytes.count || [UInt8(ascii: " "), UInt8(ascii: "\t")].contains(bytes[position + 1]) {
                    position += 1
                    while position < bytes.count, [UInt8(ascii: " "), UInt8(ascii: "\t")].contains(bytes[position]) { position += 1 }
                    if indentations.last.map({ $0 < position }) ?? true { indentations.append(position) }
                }
            }
            deepest = max(deepest, indentations.count + flow)
            for byte in bytes[position...] {
                switch byte {
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flow += 1
                    deepest = max(deepest, indentations.count + flow)
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flow = max(0, flow - 1)
                default:
                    break
                }
            }
            if deepest > maximumDepth {
                throw ReferenceError.unreadableConfig(path: path, reason: "nested deeper than \(maximumDepth) levels")
            }
        }
    }

    /// Counts one more value made from the config; throws past `maximumValues`.
    static func countValue(_ count: inout Int, path: String) throws {
        count += 1
        guard count <= maximumValues else {
            throw ReferenceError.unreadableConfig(path: path, reason: "more than \(maximumValues) values once its aliases are expanded")
        }
    }
}
