import QLXExplorer
import QLXRender
import XCTest

final class ExplorerStatePageTests: XCTestCase {
    func testPageDownAndPageUpReachEveryPartOfA32ValueCodebook() {
        var state = ExplorerState(checkpointName: "m", datasetName: "d", factorNames: ["a"],
                                  codebooks: [(0..<32).map(Float.init)], sampleCount: 0, unicode: true,
                                  renderModes: [.halfBlock], colorDepths: [.palette256], code: [0])
        var visited = [state.code[0]]
        for _ in 0..<4 {
            _ = state.handle(.pageDown)
            visited.append(state.code[0])
        }
        XCTAssertEqual(visited, [0, 8, 16, 24, 31])
        _ = state.handle(.pageUp)
        XCTAssertEqual(state.code[0], 23)
    }

    func testCtrlZAsksTheTerminalLayerToSuspend() {
        var state = Fixtures.state()
        XCTAssertEqual(state.handle(.control("z")), .suspend)
    }
}
