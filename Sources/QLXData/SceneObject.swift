/// The object of a scene, standing on the floor at the origin, its size multiplied by the
/// scale factor. At scale 1: a cube of side 1, a cylinder of radius 0.45 and height 1, a
/// sphere of diameter 1.1, a capsule of radius 0.35 and height 1.3 (both upright, so the
/// cylinder's flat top and the capsule's rounded one tell them apart).
struct SceneObject {
    let shape: SceneShape
    let size: Double

    init(shape: SceneShape, scale: Double) {
        self.shape = shape
        self.size = scale
    }

    /// The outward normal where the ray first meets the object, or nil if it misses.
    func hit(_ ray: Ray) -> Vector? {
        switch shape {
        case .cube:
            return boxHit(ray, half: 0.5 * size, height: size)
        case .cylinder:
            let radius = 0.45 * size, height = size
            return nearest(uprightTubeHit(ray, radius: radius, bottom: 0, top: height),
                           topDiscHit(ray, radius: radius, height: height))
        case .sphere:
            let radius = 0.55 * size
            return sphereHit(ray, centreY: radius, radius: radius)?.normal
        case .capsule:
            let radius = 0.35 * size, bottom = radius, top = radius + 0.6 * size
            return nearest(nearest(uprightTubeHit(ray, radius: radius, bottom: bottom, top: top),
                                   sphereHit(ray, centreY: bottom, radius: radius)),
                           sphereHit(ray, centreY: top, radius: radius))
        }
    }

    typealias Hit = (t: Double, normal: Vector)

    private func nearest(_ a: Hit?, _ b: Hit?) -> Vector? { nearest(a, b)?.normal }

    private func nearest(_ a: Hit?, _ b: Hit?) -> Hit? {
        guard let a else { return b }
        guard let b else { return a }
        return a.t <= b.t ? a : b
    }

    /// Axis-aligned box [−half, half] × [0, height] × [−half, half] (slab method).
    private func boxHit(_ ray: Ray, half: Double, height: Double) -> Vector? {
        let o = ray.origin, d = ray.direction
        var near = -Double.infinity, far = Double.infinity, normal: Vector = (0, 0, 0)
        let slabs: [(origin: Double, direction: Double, low: Double, high: Double, axis: Vector)] = [
            (o.x, d.x, -half, half, (1, 0, 0)), (o.y, d.y, 0, height, (0, 1, 0)), (o.z, d.z, -half, half, (0, 0, 1)),
        ]
        for slab in slabs {
            if slab.direction == 0 {
                if slab.origin < slab.low || slab.origin > slab.high { return nil }
                continue
            }
            var t0 = (slab.low - slab.origin) / slab.direction, t1 = (slab.high - slab.origin) / slab.direction
            // Entering through the low face means the outward normal points to −axis.
            var sign = -1.0
            if t0 > t1 { swap(&t0, &t1); sign = 1 }
            if t0 > near {
                near = t0
                normal = (sign * slab.axis.x, sign * slab.axis.y, sign * slab.axis.z)
            }
            far = min(far, t1)
        }
        return near <= far && near > 0 ? normal : nil
    }

    /// The side of a vertical cylinder about the y axis between heights bottom and top.
    private func uprightTubeHit(_ ray: Ray, radius: Double, bottom: Double, top: Double) -> Hit? {
        let o = ray.origin, d = ray.direction
        let a = d.x * d.x + d.z * d.z
        guard a > 0 else { return nil }
        let b = 2 * (o.x * d.x + o.z * d.z), c = o.x * o.x + o.z * o.z - radius * radius
        let discriminant = b * b - 4 * a * c
        guard discriminant >= 0 else { return nil }
        let t = (-b - discriminant.squareRoot()) / (2 * a)
        let y = o.y + t * d.y
        guard t > 0, y >= bottom, y <= top else { return nil }
        return (t, ((o.x + t * d.x) / radius, 0, (o.z + t * d.z) / radius))
    }

    /// The flat top of a vertical cylinder, seen from above.
    private func topDiscHit(_ ray: Ray, radius: Double, height: Double) -> Hit? {
        let o = ray.origin, d = ray.direction
        guard d.y < 0, o.y > height else { return nil }
        let t = (height - o.y) / d.y
        let x = o.x + t * d.x, z = o.z + t * d.z
        guard x * x + z * z <= radius * radius else { return nil }
        return (t, (0, 1, 0))
    }

    /// A sphere centred on the y axis at height centreY.
    private func sphereHit(_ ray: Ray, centreY: Double, radius: Double) -> Hit? {
        let d = ray.direction
        let o: Vector = (ray.origin.x, ray.origin.y - centreY, ray.origin.z)
        let b = dot(o, d), c = dot(o, o) - radius * radius
        let discriminant = b * b - c
        guard discriminant >= 0 else { return nil }
        let t = -b - discriminant.squareRoot()
        guard t > 0 else { return nil }
        return (t, ((o.x + t * d.x) / radius, (o.y + t * d.y) / radius, (o.z + t * d.z) / radius))
    }
}
