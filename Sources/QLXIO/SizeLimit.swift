#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one check of every size that comes from a file or a flag (array shapes, sample counts,
/// batch sizes, model sizes), made before anything is allocated: the product of the sizes with
/// overflow-safe arithmetic, then its bytes against `memoryLimit`. An unchecked product of
/// untrusted sizes traps (a crash, not an error), and an allocation larger than memory ends
/// in the OOM killer.
public enum SizeLimit {
    /// What one command may allocate for what it is asked to hold: half of the machine's
    /// physical memory, or `$QLX_MEMORY_LIMIT` bytes when set (tests, shared machines); and
    /// never more than half of the process's own limit (`ulimit -v`, RLIMIT_AS, or RLIMIT_DATA),
    /// where an allocation past it fails and the process aborts. Half, because the address
    /// space also holds the program, its libraries, thread stacks and mapped dataset files.
    public static let memoryLimit: Int = limit.bytes

    /// "11.7 GB, half of this machine's memory": the limit as errors state it.
    public static var memoryLimitDescription: String { "\(byteCount(memoryLimit)), \(limit.source)" }

    private static let limit: (bytes: Int, source: String) = {
        var bytes: Int, source: String
        if let text = getenv("QLX_MEMORY_LIMIT").map({ String(cString: $0) }), let value = Int(text), value > 0 {
            (bytes, source) = (value, "set by QLX_MEMORY_LIMIT")
        } else {
            let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
            let (total, overflow) = pages > 0 && pageSize > 0 ? pages.multipliedReportingOverflow(by: pageSize) : (1 << 33, false)
            (bytes, source) = (overflow ? Int.max / 2 : total / 2, "half of this machine's memory")
        }
        for (resource, name) in [(RLIMIT_AS, "address space"), (RLIMIT_DATA, "data")] {
            var value = rlimit()
            // RLIM_INFINITY is all ones.
            guard getrlimit(__rlimit_resource_t(resource.rawValue), &value) == 0, value.rlim_cur != rlim_t.max else { continue }
            let half = Int(clamping: value.rlim_cur / 2)
            if half < bytes { (bytes, source) = (half, "half of this process's \(name) limit (ulimit)") }
        }
        return (max(bytes, 1), source)
    }()

    /// The product of non-negative sizes, or nil when one is negative or the product overflows Int.
    public static func product(_ sizes: [Int]) -> Int? {
        var product = 1
        for size in sizes {
            guard size >= 0 else { return nil }
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// The bytes of `sizes` elements of `bytesEach` bytes, when they fit in `memoryLimit`;
    /// else an error naming `what` and the limit.
    @discardableResult
    public static func check(_ sizes: [Int], bytesEach: Int, what: String) throws -> Int {
        guard let bytes = product(sizes + [bytesEach]), bytes <= memoryLimit else {
            throw SizeError(what: what, bytes: product(sizes + [bytesEach]), limit: memoryLimitDescription)
        }
        return bytes
    }

    /// The largest count of items of `bytesEach` bytes that fits in `memoryLimit` (≥ 1).
    public static func maximumCount(bytesEach: Int) -> Int {
        max(1, memoryLimit / max(1, bytesEach))
    }

    /// "11.7 GB", "512 bytes": a byte count for messages.
    public static func byteCount(_ bytes: Int) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}

/// A size from a file or a flag that does not fit: "shape (…) of <f8 needs 9.2 EB; the limit
/// is 11.7 GB, half of this machine's memory".
public struct SizeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let what: String
    /// Nil when the size overflows 64 bits.
    public let bytes: Int?
    public let limit: String

    public var description: String {
        let need = bytes.map { "needs \(SizeLimit.byteCount($0))" } ?? "needs more than 2⁶³ bytes"
        return "\(what) \(need); the limit is \(limit)"
    }
}
