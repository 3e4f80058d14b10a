import XCTest
import QLXCore
import QLXTestSupport

/// Layers against JAX (scripts/golden/core_golden.py): forward values and vjp gradients.
final class GoldenTests: XCTestCase {
    private func fixture() throws -> GoldenFixture {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try GoldenFixture(directory: dir, name: "core_golden")
    }

    func testConvolutionsMatchJAX() throws {
        let g = try fixture()
        let cases = try XCTUnwrap(g.json["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 8)
        for c in cases {
            let key = c["name"] as! String
            let (cin, cout) = (c["in"] as! Int, c["out"] as! Int)
            let (k, s, p) = (c["kernel"] as! Int, c["stride"] as! Int, c["padding"] as! Int)
            let (x, w, dy) = (g["\(key).x"], g["\(key).w"], g["\(key).dy"])
            let y: Tensor, dx: Tensor, dw: Tensor
            if c["kind"] as! String == "conv" {
                let conv = Conv2d(inChannels: cin, outChannels: cout, kernel: k, stride: s, padding: p)
                y = conv.forward(x, weight: w)
                (dx, dw) = conv.backward(input: x, weight: w, dOutput: dy)
            } else {
                let convT = ConvTranspose2d(inChannels: cin, outChannels: cout, kernel: k, stride: s, padding: p)
                y = convT.forward(x, weight: w)
                (dx, dw) = convT.backward(input: x, weight: w, dOutput: dy)
            }
            assertClose(y, g["\(key).y"], rtol: 1e-4, atol: 1e-5, "\(key) y")
            assertClose(dx, g["\(key).dx"], rtol: 1e-4, atol: 1e-5, "\(key) dx")
            assertClose(dw, g["\(key).dw"], rtol: 1e-4, atol: 1e-5, "\(key) dw")
        }
    }

    func testLinearMatchesJAX() throws {
        let g = try fixture()
        let layer = Linear(inFeatures: 5, outFeatures: 4)
        assertClose(layer.forward(g["linear.x"], weight: g["linear.w"], bias: g["linear.b"]), g["linear.y"])
        let r = layer.backward(input: g["linear.x"], weight: g["linear.w"], dOutput: g["linear.dy"])
        assertClose(r.dInput!, g["linear.dx"])
        assertClose(r.dWeight, g["linear.dw"])
        assertClose(r.dBias, g["linear.db"])
    }

    func testInstanceNormMatchesJAX() throws {
        let g = try fixture()
        let norm = InstanceNorm(channels: 3)
        assertClose(norm.forward(g["norm.x"], weight: g["norm.g"], bias: g["norm.b"]), g["norm.y"])
        let r = norm.backward(input: g["norm.x"], weight: g["norm.g"], dOutput: g["norm.dy"])
        assertClose(r.dInput, g["norm.dx"], atol: 1e-5)
        assertClose(r.dWeight!, g["norm.dg"])
        assertClose(r.dBias!, g["norm.db"])
        assertClose(norm.forward(g["norm.x"], weight: nil, bias: nil), g["norm_plain.y"])
        assertClose(norm.backward(input: g["norm.x"], weight: nil, dOutput: g["norm.dy"]).dInput, g["norm_plain.dx"], atol: 1e-5)
    }

    func testLeakyReLUMatchesJAX() throws {
        let g = try fixture()
        var y = g["leaky.x"].data
        Activation.leakyReLU(&y)
        assertClose(y, g["leaky.y"].data)
        var dx = g["leaky.dy"].data
        Activation.leakyReLUBackward(output: y, gradient: &dx)
        assertClose(dx, g["leaky.dx"].data)
    }
}
