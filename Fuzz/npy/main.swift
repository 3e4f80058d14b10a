import Foundation

// libFuzzer target: the .npy reader (header dict, dtype, shape sizes, data) on arbitrary bytes,
// both ways qlx reads one: whole into memory (Npy.decode) and memory-mapped, an element at a
// time (MappedNpy, as dataset files are read). The two must agree element for element,
// Fortran order included (they reorder by different code). Built by scripts/fuzz from
// QLXData's and QLXIO's own sources; any crash or disagreement is a bug.

private let scratch = ProcessInfo.processInfo.environment["QLX_FUZZ_SCRATCH"] ?? NSTemporaryDirectory()
private let input = scratch + "/input.npy"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    let decoded = try? Npy.decode(bytes, path: "fuzz.npy")
    guard FileManager.default.createFile(atPath: input, contents: bytes) else { fatalError("cannot write \(input)") }
    let mapped = try? MappedNpy(path: input)
    // The mapped reader does not refuse unsigned values above Int64.max (it reads Doubles):
    // it may open what decode refuses, never the other way round.
    guard let decoded else { return 0 }
    guard let mapped else { fatalError("Npy.decode read it, MappedNpy refused it") }
    precondition(mapped.shape == decoded.shape, "shapes \(mapped.shape) and \(decoded.shape)")
    let doubles = decoded.doubles
    for i in doubles.indices {
        let a = doubles[i], b = mapped.double(at: i)
        precondition(a == b || (a.isNaN && b.isNaN), "element \(i): \(a) decoded, \(b) mapped")
    }
    return 0
}
