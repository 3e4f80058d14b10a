import Foundation

// libFuzzer target: the .npy reader (header dict, dtype, shape sizes, data) on arbitrary bytes.
// Built by scripts/fuzz from QLXData's and QLXIO's own sources; any crash is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? Npy.decode(Data(bytes: data, count: size), path: "fuzz.npy")
    return 0
}
