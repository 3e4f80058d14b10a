import QLXExplorer
import QLXRender
import XCTest

final class ExplorerStateTests: XCTestCase {
    func testStepsClampAtTheEndsOfTheCodebook() {
        var state = Fixtures.state()
        XCTAssertEqual(state.handle(.right), .none)
        XCTAssertEqual(state.code, [2, 2, 3])
        _ = state.handle(.right)
        _ = state.handle(.right)
        XCTAssertEqual(state.code[0], 3, "stops at the last value")
        _ = state.handle(.home)
        XCTAssertEqual(state.code[0], 0)
        _ = state.handle(.left)
        XCTAssertEqual(state.code[0], 0, "stops at the first value")
        _ = state.handle(.end)
        XCTAssertEqual(state.code[0], 3)
    }

    func testSelectionWrapsAndStepsActOnTheSelectedLatent() {
        var state = Fixtures.state()
        _ = state.handle(.up)
        XCTAssertEqual(state.selectedLatent, 2)
        _ = state.handle(.character("j"))
        XCTAssertEqual(state.selectedLatent, 0)
        _ = state.handle(.down)
        _ = state.handle(.character("h"))
        XCTAssertEqual(state.code, [1, 1, 3])
    }

    func testDigitsJumpWithinTheCodebookAndExplainOutOfRange() {
        var state = Fixtures.state()
        _ = state.handle(.character("2"))
        XCTAssertEqual(state.code[0], 2)
        _ = state.handle(.character("7"))
        XCTAssertEqual(state.code[0], 2)
        XCTAssertEqual(state.statusMessage, "latent 0 has only 4 values (0–3)")
    }

    /// 32 values: a digit goes to its value at once and stays open while a second digit still
    /// fits (2 then 5 is 25); Enter ends it; a digit no second digit can follow jumps alone.
    func testTwoDigitValuesReachEveryValueOfA32ValueCodebook() {
        func state32() -> ExplorerState {
            ExplorerState(checkpointName: "m", datasetName: "d", factorNames: [],
                          codebooks: Array(repeating: (0..<32).map(Float.init), count: 2), sampleCount: 0, unicode: true,
                          renderModes: [.halfBlock], colorDepths: [.palette256], code: [0, 0])
        }
        var state = state32()
        for value in 0..<32 {
            for digit in String(value) { _ = state.handle(.character(digit)) }
            _ = state.handle(.enter)
            XCTAssertEqual(state.code[0], value, "typed \(value) Enter")
        }
        state = state32()
        _ = state.handle(.character("2"))
        XCTAssertEqual(state.code[0], 2, "the value follows the first digit")
        XCTAssertEqual(state.valueEntry, 2)
        _ = state.handle(.character("5"))
        XCTAssertEqual(state.code[0], 25)
        XCTAssertNil(state.valueEntry, "250 cannot fit: the number is complete")
        _ = state.handle(.character("4"))
        XCTAssertEqual(state.code[0], 4, "40 cannot fit: 4 alone")
        XCTAssertNil(state.valueEntry)
        _ = state.handle(.character("3"))
        _ = state.handle(.character("3"))
        XCTAssertEqual(state.code[0], 3, "33 is past the codebook")
        XCTAssertEqual(state.statusMessage, "latent 0 has only 32 values (0–31)")
        _ = state.handle(.character("1"))
        _ = state.handle(.right)
        XCTAssertNil(state.valueEntry, "any other key ends the number")
        _ = state.handle(.character("7"))
        XCTAssertEqual(state.code[0], 7, "a new number after the arrow")
    }

    func testTraversalCodesVaryOnlyTheSelectedLatent() {
        var state = Fixtures.state()
        _ = state.handle(.down)
        XCTAssertEqual(state.traversalCodes, [[1, 0, 3], [1, 1, 3], [1, 2, 3], [1, 3, 3]])
    }

    func testSamplesAskTheSessionToEncodeAndWalkAFixedOrder() {
        var state = Fixtures.state()
        let first = state.handle(.character("n"))
        XCTAssertEqual(first, .loadSample(index: state.sampleIndex(at: 1)))
        _ = state.handle(.character("n"))
        let back = state.handle(.character("N"))
        XCTAssertEqual(back, first, "N returns to the previous sample")
        // The order visits distinct samples (a stride coprime with the count).
        let visited = Set((0..<100).map { state.sampleIndex(at: $0) })
        XCTAssertEqual(visited.count, 100)
        XCTAssertEqual(state.sampleIndex(at: -1), state.sampleIndex(at: 99))

        var noDataset = Fixtures.state(sampleCount: 0)
        XCTAssertEqual(noDataset.handle(.character("n")), .none)
        XCTAssertEqual(noDataset.statusMessage, "no dataset: samples unavailable")
    }

    func testShowSampleThenResetReturnsToTheStartSample() {
        var state = Fixtures.state()
        let start = LoadedSample(index: 7, factors: [1, 2], code: [0, 0, 0])
        state.setStart(start)
        state.showSample(LoadedSample(index: 9, factors: [0, 0], code: [3, 3, 3]))
        _ = state.handle(.right)
        XCTAssertEqual(state.sample?.index, 9)
        _ = state.handle(.character("z"))
        XCTAssertEqual(state.code, [0, 0, 0])
        XCTAssertEqual(state.sample, start)
    }

    func testRandomCodesStayInRangeAndForgetTheSample() {
        var state = Fixtures.state()
        state.showSample(LoadedSample(index: 9, factors: [0, 0], code: [3, 3, 3]))
        var seen = Set<[Int]>()
        for _ in 0..<20 {
            _ = state.handle(.character("r"))
            XCTAssertTrue(state.code.allSatisfy { (0..<4).contains($0) })
            seen.insert(state.code)
        }
        XCTAssertNil(state.sample)
        XCTAssertGreaterThan(seen.count, 5)
    }

    func testHelpTakesKeysUntilClosedAndQClosesItRatherThanQuitting() {
        var state = Fixtures.state()
        _ = state.handle(.character("?"))
        XCTAssertTrue(state.showHelp)
        _ = state.handle(.right)
        XCTAssertEqual(state.code, [1, 2, 3], "keys under the overlay do nothing")
        XCTAssertEqual(state.handle(.character("q")), .none)
        XCTAssertFalse(state.showHelp)
        _ = state.handle(.character("?"))
        _ = state.handle(.escape)
        XCTAssertFalse(state.showHelp)
        _ = state.handle(.character("?"))
        XCTAssertEqual(state.handle(.control("c")), .quit, "Ctrl-C always quits")
    }

    func testTourOfTheSelectedLatentPingPongsAndAnyKeyStopsIt() {
        var state = Fixtures.state()
        _ = state.handle(.character("t"))
        var values: [Int] = []
        for _ in 0..<8 {
            state.advanceTour()
            values.append(state.code[0])
        }
        XCTAssertEqual(values, [0, 1, 2, 3, 2, 1, 0, 1])
        XCTAssertEqual(state.handle(.character("x")), .none)
        XCTAssertNil(state.tour)
        _ = state.handle(.character("t"))
        XCTAssertEqual(state.handle(.character("q")), .quit, "q during a tour still quits")
    }

    func testTourOfAllLatentsSweepsEachInTurnAndRestoresIt() {
        var state = Fixtures.state()
        _ = state.handle(.character("T"))
        var frames: [[Int]] = []
        for _ in 0..<9 {
            state.advanceTour()
            frames.append(state.code)
        }
        XCTAssertEqual(frames, [[0, 2, 3], [1, 2, 3], [2, 2, 3], [3, 2, 3],
                                [1, 0, 3], [1, 1, 3], [1, 2, 3], [1, 3, 3], [1, 2, 0]])
        XCTAssertEqual(state.selectedLatent, 2)
    }

    func testModesAndColourDepthsCycleThroughWhatTheTerminalShows() {
        var state = Fixtures.state()
        XCTAssertEqual(state.renderModes, [.halfBlock, .quadrant, .sextant, .ascii, .asciiInverted])
        XCTAssertEqual(state.colorDepths, [.palette256, .palette16, .palette8, .none])
        _ = state.handle(.character("m"))
        XCTAssertEqual(state.renderMode, .quadrant)
        _ = state.handle(.character("c"))
        XCTAssertEqual(state.colorDepth, .palette16)

        var ascii = Fixtures.state(unicode: false, colors: .none)
        XCTAssertEqual(ascii.renderModes, [.ascii, .asciiInverted])
        XCTAssertEqual(ascii.colorDepths, [.none])
        ascii.adapt(unicode: true, maximumColors: .trueColor, preferredMode: .sextant, colorLimit: .palette16)
        XCTAssertEqual(ascii.renderMode, .sextant)
        XCTAssertEqual(ascii.colorDepth, .palette16)
    }

    func testResizeOnlyAsksForARedraw() {
        var state = Fixtures.state()
        XCTAssertEqual(state.handle(.resize), .redraw)
        XCTAssertEqual(state.code, [1, 2, 3])
    }
}
