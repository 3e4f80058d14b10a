/// The `/` prompt's text, read as factor constraints: "shape=cylinder objectHue=3" (spaces or
/// commas between terms; names and values without regard to case; a factor by a unique prefix
/// of its name; a value by its name or its index).
public enum FactorQuery {
    /// One constraint per factor (nil: any value), or a one-line reason the text is not one.
    public static func parse(_ text: String, factorNames: [String], valueNames: [[String]], factorSizes: [Int])
        -> Result<[Int?], QueryError> {
        var constraints = [Int?](repeating: nil, count: factorNames.count)
        let terms = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !terms.isEmpty else { return .failure(QueryError("type factor=value terms, e.g. \(example(factorNames, valueNames))")) }
        for term in terms {
            let parts = term.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                return .failure(QueryError("'\(term)': expected factor=value"))
            }
            let name = parts[0].lowercased(), value = parts[1].lowercased()
            let exact = factorNames.indices.filter { factorNames[$0].lowercased() == name }
            let prefixed = factorNames.indices.filter { factorNames[$0].lowercased().hasPrefix(name) }
            guard let factor = exact.first ?? (prefixed.count == 1 ? prefixed.first : nil) else {
                return .failure(QueryError(prefixed.count > 1
                    ? "'\(parts[0])' could be \(prefixed.map { factorNames[$0] }.joined(separator: " or "))"
                    : "no factor '\(parts[0])'; factors: \(factorNames.joined(separator: ", "))"))
            }
            let size = factor < factorSizes.count ? factorSizes[factor] : 0
            let names = factor < valueNames.count ? valueNames[factor].map { $0.lowercased() } : []
            if let named = names.firstIndex(of: value), named < size {
                constraints[factor] = named
            } else if let index = Int(value), (0..<size).contains(index) {
                constraints[factor] = index
            } else {
                let known = names.contains { Int($0) == nil } ? names.joined(separator: ", ") : "0…\(size - 1)"
                return .failure(QueryError("\(factorNames[factor]) has no value '\(parts[1])'; values: \(known)"))
            }
        }
        return .success(constraints)
    }

    /// "shape=cylinder" from the first factor whose values have names, else "name=0".
    static func example(_ factorNames: [String], _ valueNames: [[String]]) -> String {
        for (i, names) in valueNames.enumerated() where i < factorNames.count {
            if let name = names.first(where: { Int($0) == nil }) { return "\(factorNames[i])=\(name)" }
        }
        return factorNames.first.map { "\($0)=0" } ?? "factor=value"
    }

    public struct QueryError: Error, Equatable {
        public let message: String
        init(_ message: String) { self.message = message }
    }
}
