// libFuzzer target: the strict JSON parser of safetensors headers (and of qlx.config) on
// arbitrary bytes. Built by scripts/fuzz from QLXModel's and QLXIO's own sources.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let json = try? SafetensorsJSONParser.parse(UnsafeBufferPointer(start: data, count: size)) {
        _ = json.kindName
    }
    return 0
}
