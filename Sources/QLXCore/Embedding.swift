/// A value made of another (its `embedded` value) and fields of its own, read as one: the
/// embedded value's members through dynamic member lookup (`report.infoM` for
/// `report.infoMEC.infoM`), so the embedded type's field list is written once.
@dynamicMemberLookup
public protocol Embedding {
    associatedtype Embedded
    static var embedded: WritableKeyPath<Self, Embedded> { get }
}

extension Embedding {
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<Embedded, Value>) -> Value {
        get { self[keyPath: Self.embedded][keyPath: keyPath] }
        set { self[keyPath: Self.embedded][keyPath: keyPath] = newValue }
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Embedded, Value>) -> Value {
        self[keyPath: Self.embedded][keyPath: keyPath]
    }
}

/// JSON of an embedding with one field of its own, as one flat object: the embedded value's
/// keys beside the field's (so adding the field to a stored type keeps its JSON readable).
public enum FlatCoding {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public static func decode<Embedded: Decodable, Field: Decodable>(
        from decoder: Decoder, field name: String) throws -> (Embedded, Field) {
        let field = try decoder.container(keyedBy: Key.self).decode(Field.self, forKey: Key(stringValue: name))
        return (try Embedded(from: decoder), field)
    }

    public static func encode<Embedded: Encodable, Field: Encodable>(
        _ embedded: Embedded, field name: String, _ value: Field, to encoder: Encoder) throws {
        try embedded.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(value, forKey: Key(stringValue: name))
    }
}
