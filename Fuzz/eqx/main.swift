// libFuzzer target: an Equinox .eqx file (concatenated .npy records, EqxFile.records) on
// arbitrary bytes. Built by scripts/fuzz from QLXReference's EqxFile and QLXData's .npy reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let records = try? EqxFile.records(in: Array(UnsafeBufferPointer(start: data, count: size)), path: "fuzz.eqx") {
        for record in records { precondition(record.count == record.shape.reduce(1, *)) }
    }
    return 0
}
