import QLXCore
import XCTest

final class BLASKernelsTests: XCTestCase {
    /// `qlx bench` must say when the environment, not OpenBLAS, chose the kernels, since
    /// that alone can change its figures by half.
    func testDescriptionNamesTheVariableThatForcedTheKernels() {
        let core = BLASKernels.coreName
        XCTAssertFalse(core.isEmpty)
        XCTAssertEqual(BLASKernels.describe(environment: [:]), "\(core) kernels")
        XCTAssertEqual(BLASKernels.describe(environment: ["OPENBLAS_CORETYPE": "Haswell"]),
                       "\(core) kernels, forced by OPENBLAS_CORETYPE=Haswell")
    }
}
