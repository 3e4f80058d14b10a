import QLXExplorer
import XCTest

/// The `/` prompt: parsing factor terms, and the keys that open, edit and close it.
final class FactorQueryTests: XCTestCase {
    let names = ["floorHue", "objectHue", "shape"]
    let values = [(0..<10).map(String.init), (0..<10).map(String.init), ["cube", "cylinder", "sphere", "capsule"]]
    let sizes = [10, 10, 4]

    func parse(_ text: String) -> Result<[Int?], FactorQuery.QueryError> {
        FactorQuery.parse(text, factorNames: names, valueNames: values, factorSizes: sizes)
    }

    func testNamesValuesPrefixesAndIndices() {
        XCTAssertEqual(try parse("shape=cylinder objectHue=3").get(), [nil, 3, 1])
        XCTAssertEqual(try parse("SHAPE=Sphere,floor=0").get(), [0, nil, 2])
        XCTAssertEqual(try parse("sh=3").get(), [nil, nil, 3], "a value by index")
    }

    func testBadTermsSayWhatIsWrongInOneLine() {
        for (text, expected) in [("shape", "expected factor=value"), ("colour=1", "no factor 'colour'"),
                                 ("hue=1", "no factor 'hue'"), ("shape=cone", "shape has no value 'cone'"),
                                 ("objectHue=10", "values: 0…9"), ("", "type factor=value"),
                                 ("o=99", "objectHue has no value '99'")] {
            guard case .failure(let error) = parse(text) else { return XCTFail("\(text) parsed") }
            XCTAssertTrue(error.message.contains(expected), "\(text): \(error.message)")
            XCTAssertFalse(error.message.contains("\n"))
        }
        guard case .failure(let ambiguous) = FactorQuery.parse("f=1", factorNames: ["floorHue", "fog"], valueNames: [], factorSizes: [10, 2])
        else { return XCTFail("ambiguous prefix parsed") }
        XCTAssertTrue(ambiguous.message.contains("floorHue or fog"), ambiguous.message)
    }

    func testSlashOpensThePromptEnterFindsEscCloses() {
        var state = Fixtures.state(sampleCount: 10)
        state.factorValueNames = [["a", "b"], ["x", "y"]]
        state.factorSizes = [2, 2]
        XCTAssertEqual(state.handle(.character("/")), .none)
        XCTAssertEqual(state.factorQuery, "")
        for c in "size=y" { _ = state.handle(.character(c)) }
        XCTAssertEqual(state.factorQuery, "size=y")
        _ = state.handle(.character("q"))
        XCTAssertEqual(state.factorQuery, "size=yq", "q is text in the prompt, not quit")
        _ = state.handle(.backspace)
        XCTAssertEqual(state.handle(.enter), .findSample(constraints: [nil, 1]))
        XCTAssertNil(state.factorQuery)

        _ = state.handle(.character("/"))
        for c in "size=z" { _ = state.handle(.character(c)) }
        XCTAssertEqual(state.handle(.enter), .none)
        XCTAssertEqual(state.factorQuery, "size=z", "a bad query stays open to be mended")
        XCTAssertNotNil(state.statusMessage)
        XCTAssertEqual(state.handle(.escape), .none)
        XCTAssertNil(state.factorQuery)
    }

    func testWithoutADatasetThePromptDoesNotOpen() {
        var state = Fixtures.state(sampleCount: 0)
        _ = state.handle(.character("/"))
        XCTAssertNil(state.factorQuery)
    }
}
