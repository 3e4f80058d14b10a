import XCTest
import QLXModel
import QLXTraining

final class ProgressReporterTests: XCTestCase {
    let loss = LossTerms(reconstruction: 0.05, quantization: 0.001, commitment: 0.002, total: 0.05003)

    func testPlainOutputPrintsTheFirstStepEveryFivePercentAndTheLast() {
        var text = ""
        var clock = 0.0
        let reporter = ProgressReporter(startingAt: 0, interactive: false, write: { text += $0 }, now: { clock })
        for step in 1...200 {
            clock += 0.5
            reporter.handle(.step(step: step, total: 200, loss: loss, seconds: 0.5, images: 64))
        }
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 21)   // step 1, then 10, 20, …, 200
        XCTAssertTrue(lines[0].hasPrefix("step 1/200   0.5%  2.00 steps/s  128 img/s  BCE 0.05000  quant 0.001000  commit 0.002000  ETA 1m40s"), String(lines[0]))
        XCTAssertTrue(lines[1].hasPrefix("step 10/200"))
        XCTAssertTrue(lines[20].hasPrefix("step 200/200 100.0%"))
        XCTAssertFalse(text.contains("\r"))
    }

    func testPlainOutputStaysAliveOnSlowRuns() {
        var text = ""
        var clock = 0.0
        let reporter = ProgressReporter(startingAt: 0, interactive: false, write: { text += $0 }, now: { clock })
        for step in 1...10 {
            clock += 61
            reporter.handle(.step(step: step, total: 10_000, loss: loss, seconds: 61, images: 64))
        }
        XCTAssertEqual(text.split(separator: "\n").count, 10)
    }

    func testInteractiveOutputRedrawsOneLineAndPrintsEventsAboveIt() {
        var text = ""
        let reporter = ProgressReporter(startingAt: 10, interactive: true, write: { text += $0 }, now: { 0 })
        reporter.handle(.step(step: 11, total: 20, loss: loss, seconds: 1, images: 64))
        reporter.handle(.step(step: 12, total: 20, loss: loss, seconds: 1, images: 64))
        reporter.handle(.checkpoint(path: "m.safetensors", step: 12))
        reporter.finish()
        XCTAssertEqual(text.components(separatedBy: "\r").count, 4)   // two redraws, one erase before the event
        XCTAssertTrue(text.hasSuffix("\r\u{1B}[Ksaved checkpoint at step 12 to m.safetensors\n"))
    }

    func testDurationsAreCompact() {
        XCTAssertEqual(ProgressReporter.duration(42.4), "42s")
        XCTAssertEqual(ProgressReporter.duration(725), "12m05s")
        XCTAssertEqual(ProgressReporter.duration(11_220), "3h07m")
        XCTAssertEqual(ProgressReporter.duration(.infinity), "--")
    }
}
