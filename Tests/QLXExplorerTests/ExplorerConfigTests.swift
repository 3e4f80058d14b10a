import Foundation
import QLXExplorer
import QLXRender
import QLXTestSupport
import XCTest

final class ExplorerConfigTests: XCTestCase {
    func testThePathFollowsXDGConfigHomeThenHome() {
        XCTAssertEqual(ExplorerConfig.path(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/u"]), "/x/cfg/qlx/config.toml")
        XCTAssertEqual(ExplorerConfig.path(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/u"]),
                       "/home/u/.config/qlx/config.toml", "a relative XDG_CONFIG_HOME is ignored")
        XCTAssertNil(ExplorerConfig.path(environment: [:]))
    }

    func testEverySettingRoundTripsThroughTheFile() throws {
        let directory = try makeScratchDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("qlx/config.toml").path
        XCTAssertEqual(try ExplorerConfig.read(from: path), ExplorerConfig(), "no file: no settings")
        let config = ExplorerConfig(mode: .sextant, colors: .trueColor, graphics: .cells, mouse: false, tourMilliseconds: 300)
        try config.write(to: path)
        XCTAssertEqual(try ExplorerConfig.read(from: path), config)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# qlx explore settings"), text)
        XCTAssertTrue(text.contains("tour_ms = 300"), text)
    }

    /// A config.toml linked from a dotfiles folder stays a link when keys change a setting; the
    /// file it points to gets the settings.
    func testSavingKeepsASymlinkedConfigAndWritesItsTarget() throws {
        let directory = try makeScratchDirectory("config-link")
        defer { try? FileManager.default.removeItem(at: directory) }
        let dotfiles = directory.appendingPathComponent("dotfiles/qlx.toml").path
        let path = directory.appendingPathComponent("qlx/config.toml").path
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("dotfiles").path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("qlx").path, withIntermediateDirectories: true)
        try Data("mode = \"half\"\n".utf8).write(to: URL(fileURLWithPath: dotfiles))
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: dotfiles)
        let config = ExplorerConfig(mode: .sextant, tourMilliseconds: 300)
        try config.write(to: path)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path), dotfiles, "the link was replaced by a file")
        XCTAssertEqual(try ExplorerConfig.read(from: dotfiles), config)
    }

    func testHandWrittenSettingsAreRead() throws {
        let config = try ExplorerConfig.parse("""
        # mine
        mode = "quadrant"
        colors = "8"
        mouse = true
        """, path: "c.toml")
        XCTAssertEqual(config, ExplorerConfig(mode: .quadrant, colors: .palette8, mouse: true))
    }

    func testAMalformedFileIsOneLineNamingItAndWhatIsWrong() {
        let cases: [(String, String)] = [
            ("mode = \"half", "line 1"),
            ("mode = \"blocks\"", "mode: expected one of \"half\", \"ascii\""),
            ("colors = 256", "colors: expected one of"),
            ("mouse = \"yes\"", "mouse: expected true or false"),
            ("tour_ms = 5", "tour_ms: expected milliseconds 20…5000"),
            ("colour = \"8\"", "unknown setting 'colour'"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ExplorerConfig.parse(text, path: "/home/u/.config/qlx/config.toml"), text) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("ignoring the settings in /home/u/.config/qlx/config.toml: "), message)
                XCTAssertTrue(message.contains(expected), "\(text): \(message)")
                XCTAssertTrue(message.contains("qlx will not save settings over it"), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
    }

    func testOnlySettingsKeysChangedAreKept() {
        let session = ExplorerSession(state: Fixtures.state(sampleCount: 0), source: FlatImageSource(size: 8))
        let saved = ExplorerConfig(colors: .palette256, mouse: false)
        session.adapt(unicode: true, maximumColors: .trueColor)
        _ = session.frame(width: 100, height: 30)   // keys act once a frame of a usable size is on screen
        XCTAssertEqual(session.settings(updating: saved), saved, "nothing changed")
        _ = session.handle(.character("m"))
        session.tourInterval = 90
        XCTAssertEqual(session.settings(updating: saved),
                       ExplorerConfig(mode: session.state.renderMode, colors: .palette256, mouse: false, tourMilliseconds: 90))
    }
}
