// libFuzzer target: the explorer's key scripts (--keys TEXT, --script FILE; KeyScript), then
// the first steps of their playback, repeats expanded lazily.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        var playback = KeyScript.Playback(try KeyScript(parsing: text, defaultGap: 150, source: "fuzz"))
        for _ in 0..<1000 {
            guard let step = playback.next() else { break }
            precondition(step.delayBefore >= 0 && step.delayBefore <= KeyScript.maximumPause, "delay \(step.delayBefore)")
            _ = step.key.description
        }
    } catch {
        _ = "\(error)"
    }
    return 0
}
