/// Numbers from flags, read by the commands rather than by ArgumentParser: its own error for
/// `--latent abc` is four lines (error, help, usage, hint), and it takes `-3` for an option
/// ("Missing value for '--samples'"). Commands declare numeric options as strings with
/// `parsing: .unconditional` (so `-3` arrives as a value) and convert them here.
enum FlagValue {
    /// An integer in `range`; `expected` describes it (default: the range itself).
    static func integer(_ text: String, flag: String, in range: ClosedRange<Int>, expected: String? = nil) throws -> Int {
        let description = expected ?? Self.describe(range)
        guard let value = Int(text) else { throw FlagError.badValue(flag: flag, expected: description, found: "'\(text)'") }
        guard range.contains(value) else { throw FlagError.badValue(flag: flag, expected: description, found: "\(value)") }
        return value
    }

    /// What a seed may be: any integer 0…2⁶⁴ − 1.
    static let seedRange = "an integer 0…\(UInt64.max)"

    /// A seed: any integer 0…2⁶⁴ − 1.
    static func seed(_ text: String, flag: String = "--seed") throws -> UInt64 {
        guard let value = UInt64(text) else {
            throw FlagError.badValue(flag: flag, expected: seedRange, found: "'\(text)'")
        }
        return value
    }

    /// "1…400", or "an integer ≥ 2" for ranges without a real upper end.
    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "an integer ≥ \(range.lowerBound)" : "\(range.lowerBound)…\(range.upperBound)"
    }
}

/// Parsers for ArgumentParser's `transform:` on typed options. ArgumentParser appends the
/// thrown description, so `--steps x` reads "the value 'x' is invalid for '--steps <steps>':
/// expected an integer" instead of stopping at "is invalid".
enum FlagParse {
    struct Expected: Error, CustomStringConvertible {
        var description: String
    }

    static func integer(_ text: String) throws -> Int {
        guard let value = Int(text) else { throw Expected(description: "expected an integer") }
        return value
    }

    static func number(_ text: String) throws -> Double {
        guard let value = Double(text), value.isFinite else { throw Expected(description: "expected a finite number") }
        return value
    }
}
