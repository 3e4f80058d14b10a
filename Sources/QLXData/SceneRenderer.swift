/// Ray-casts one colour 3D scene of the `scenes` dataset: a floor, a back wall and one object
/// standing on the floor at the centre, lit by a fixed directional light, seen by a camera that
/// orbits the vertical axis. Only IEEE-754 +, −, ×, ÷ and √ on Double (no library sin/cos),
/// so every machine draws the same bits.
///
/// Hues only colour surfaces, so an image is a per-pixel mix of three colours weighted by
/// coverage × shading. `weights` computes those weights (one plane per surface) for a
/// geometry, i.e. an (orientation, scale, shape) triple; `ScenesDataset` caches the 480 of
/// them and colours images with three multiply-adds per channel and pixel.
///
/// World frame: y up, the object at the origin on the floor y = 0, the back wall the plane
/// z = −wallDistance facing +z. The camera sits `cameraDistance` from the vertical axis at
/// `cameraHeight`, turned by the orientation angle about that axis, looking at `lookAt`.
public enum SceneShape: Int, CaseIterable, Sendable {
    case cube, cylinder, sphere, capsule
    public var name: String { ["cube", "cylinder", "sphere", "capsule"][rawValue] }
}

public enum SceneRenderer {
    public static let side = 64
    public static let hueCount = 10, scaleCount = 8, orientationCount = 15
    /// Sub-samples per pixel along each axis (anti-aliasing: 3×3 rays per pixel).
    static let samplesPerAxis = 3
    static let cameraDistance = 6.0, cameraHeight = 3.0, wallDistance = 3.0
    static let lookAt = (x: 0.0, y: 0.55, z: 0.0)
    /// tan of half the 30° vertical field of view (tan 15°).
    static let tanHalfFieldOfView = 0.26794919243112270
    /// Light direction (towards the light), normalised at first use; fixed to the world, so
    /// turning the camera changes which lit faces of the object it sees.
    static let light = normalized(-0.45, 1.0, 0.65)
    static let ambient = 0.35, diffuse = 0.65

    /// Object scale: linspace(0.75, 1.25, 8).
    public static func scale(_ k: Int) -> Double { 0.75 + 0.5 * Double(k) / Double(scaleCount - 1) }
    /// Camera turn about the vertical axis: linspace(−30°, 30°, 15), in radians.
    public static func orientation(_ k: Int) -> Double {
        (-30.0 + 60.0 * Double(k) / Double(orientationCount - 1)) * Double.pi / 180
    }

    /// RGB of hue index k: evenly spaced around the colour wheel (HSV with S 0.85, V 0.95).
    public static func hueColour(_ k: Int) -> (r: Float, g: Float, b: Float) {
        let saturation = 0.85, value = 0.95
        let h = 6.0 * Double(k) / Double(hueCount)
        let sector = Int(h), f = h - Double(sector)
        let p = value * (1 - saturation), q = value * (1 - saturation * f), t = value * (1 - saturation * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch sector % 6 {
        case 0: (r, g, b) = (value, t, p)
        case 1: (r, g, b) = (q, value, p)
        case 2: (r, g, b) = (p, value, t)
        case 3: (r, g, b) = (p, q, value)
        case 4: (r, g, b) = (t, p, value)
        default: (r, g, b) = (value, p, q)
        }
        return (Float(r), Float(g), Float(b))
    }

    /// Which surface a ray hit, and its shading (ambient + diffuse · max(0, n·light)).
    enum Surface: Int { case floor = 0, wall = 1, object = 2 }

    /// The mixing weights of one geometry: 3 planes of side×side (floor, wall, object), each
    /// pixel's share of sub-samples on that surface times their shading. Per pixel the planes
    /// sum to at most 1, so any colours in [0, 1] give an image in [0, 1].
    public static func weights(shape: SceneShape, scale scaleIndex: Int, orientation orientationIndex: Int) -> [Float] {
        let plane = side * side
        var result = [Float](repeating: 0, count: 3 * plane)
        let camera = Camera(angle: orientation(orientationIndex))
        let object = SceneObject(shape: shape, scale: scale(scaleIndex))
        let n = samplesPerAxis, perSample = 1.0 / Double(n * n)
        var sums = [Double](repeating: 0, count: 3)
        for y in 0..<side {
            for x in 0..<side {
                sums[0] = 0; sums[1] = 0; sums[2] = 0
                for sy in 0..<n {
                    for sx in 0..<n {
                        let px = Double(x) + (Double(sx) + 0.5) / Double(n)
                        let py = Double(y) + (Double(sy) + 0.5) / Double(n)
                        let (surface, shade) = trace(camera.ray(px: px, py: py), object: object)
                        sums[surface.rawValue] += shade
                    }
                }
                for s in 0..<3 { result[s * plane + y * side + x] = Float(sums[s] * perSample) }
            }
        }
        return result
    }

    /// The nearest surface along a ray from the camera, and its shading.
    static func trace(_ ray: Ray, object: SceneObject) -> (Surface, Double) {
        if let normal = object.hit(ray) { return (.object, shade(normal)) }
        // Floor (y = 0) or wall (z = −wallDistance): the nearer of the two the ray reaches.
        let floorT = ray.direction.y < 0 ? -ray.origin.y / ray.direction.y : Double.infinity
        let wallT = ray.direction.z < 0 ? (-wallDistance - ray.origin.z) / ray.direction.z : Double.infinity
        return floorT < wallT ? (.floor, shade((0, 1, 0))) : (.wall, shade((0, 0, 1)))
    }

    static func shade(_ normal: Vector) -> Double {
        ambient + diffuse * max(0, dot(normal, light))
    }
}

typealias Vector = (x: Double, y: Double, z: Double)

@inline(__always) func dot(_ a: Vector, _ b: Vector) -> Double { a.x * b.x + a.y * b.y + a.z * b.z }
@inline(__always) func normalized(_ x: Double, _ y: Double, _ z: Double) -> Vector {
    let length = (x * x + y * y + z * z).squareRoot()
    return (x / length, y / length, z / length)
}

struct Ray { let origin: Vector, direction: Vector }

/// A pinhole camera on a circle about the vertical axis, looking at `SceneRenderer.lookAt`.
struct Camera {
    let position: Vector, forward: Vector, right: Vector, up: Vector

    init(angle: Double) {
        let (cosine, sine) = portableCosSin(angle < 0 ? angle + 2 * Double.pi : angle)
        position = (SceneRenderer.cameraDistance * sine, SceneRenderer.cameraHeight, SceneRenderer.cameraDistance * cosine)
        let target = SceneRenderer.lookAt
        forward = normalized(target.x - position.x, target.y - position.y, target.z - position.z)
        // right = forward × worldUp, up = right × forward.
        right = normalized(-forward.z, 0, forward.x)
        up = (right.y * forward.z - right.z * forward.y, right.z * forward.x - right.x * forward.z,
              right.x * forward.y - right.y * forward.x)
    }

    /// The ray through image point (px, py) in pixels (x right, y down, 0…side).
    func ray(px: Double, py: Double) -> Ray {
        let half = Double(SceneRenderer.side) / 2, t = SceneRenderer.tanHalfFieldOfView
        let u = (px - half) / half * t, v = (half - py) / half * t
        let d = normalized(forward.x + u * right.x + v * up.x, forward.y + u * right.y + v * up.y,
                           forward.z + u * right.z + v * up.z)
        return Ray(origin: position, direction: d)
    }
}
