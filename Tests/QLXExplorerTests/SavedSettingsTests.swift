import QLXExplorer
import QLXRender
import XCTest

/// The settings file's mode and colours follow the user into other terminals: they start a
/// session without limiting it, the status line names them while they hold it below the
/// terminal's best, and only choices made with keys are kept.
final class SavedSettingsTests: XCTestCase {
    func session(saved: ExplorerConfig, terminal: ColorDepth) -> ExplorerSession {
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(size: 8))
        session.saved = saved
        session.savedPath = "/home/ada/.config/qlx/config.toml"
        session.adapt(unicode: true, maximumColors: terminal)
        _ = session.composed(width: 100, height: 30)   // keys act once a screen of this size was drawn
        return session
    }

    func testAColourPressInOneTerminalStartsTheNextLowerButSaysSoAndNeverLimitsIt() {
        // One c press in a 256-colour terminal: 16 colours saved.
        let first = session(saved: ExplorerConfig(), terminal: .palette256)
        _ = first.handle(.character("c"))
        let kept = first.settings(updating: ExplorerConfig())
        XCTAssertEqual(kept.colors, .palette16)

        // The next run, in a 24-bit terminal: 16 colours, named in the status line, and c
        // still reaches 24-bit.
        let next = session(saved: kept, terminal: .trueColor)
        XCTAssertEqual(next.state.colorDepth, .palette16)
        XCTAssertEqual(next.state.statusMessage, "colours 16 from /home/ada/.config/qlx/config.toml (c to change)")
        XCTAssertEqual(next.state.colorDepths.first, .trueColor)
        for _ in 0..<4 where next.state.colorDepth != .trueColor { _ = next.handle(.character("c")) }
        XCTAssertEqual(next.state.colorDepth, .trueColor)
        // Choosing the terminal's best removes the setting instead of pinning 24-bit.
        XCTAssertNil(next.settings(updating: kept).colors)
    }

    func testASavedDepthAboveTheTerminalsIsLoweredQuietlyAndNotSavedBack() {
        let saved = ExplorerConfig(colors: .trueColor)
        let lowered = session(saved: saved, terminal: .palette256)
        XCTAssertEqual(lowered.state.colorDepth, .palette256)
        XCTAssertNil(lowered.state.statusMessage, "the terminal's best is not held back")
        XCTAssertEqual(lowered.settings(updating: saved), saved, "no key, nothing changes in the file")
    }

    func testASavedModeIsNamedWhileInForceAndTheDefaultModeRemovesIt() {
        let saved = ExplorerConfig(mode: .quadrant)
        let run = session(saved: saved, terminal: .palette256)
        XCTAssertEqual(run.state.renderMode, .quadrant)
        XCTAssertEqual(run.state.statusMessage, "mode quadrant from /home/ada/.config/qlx/config.toml (m to change)")
        for _ in 0..<5 where run.state.renderMode != .halfBlock { _ = run.handle(.character("m")) }
        XCTAssertEqual(run.state.renderMode, .halfBlock)
        XCTAssertNil(run.settings(updating: saved).mode)
    }

    func testAFlagIsALimitAndWinsOverTheFile() {
        let run = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(size: 8))
        run.saved = ExplorerConfig(colors: .palette16)
        run.colorLimit = .palette256
        run.adapt(unicode: true, maximumColors: .trueColor)
        XCTAssertEqual(run.state.colorDepth, .palette256)
        XCTAssertEqual(run.state.colorDepths.first, .palette256)
        XCTAssertNil(run.state.statusMessage)
    }
}
