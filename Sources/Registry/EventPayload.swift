// Typed event payloads: each event kind is one Codable struct, declared in the module that writes it, and
// stored as the event's flat `data` map of strings (the bytes on disk are the contract; see EventFields).
import Foundation
import Hashing

/// What one kind of event records. `kind` is the event's `kind` on disk; the stored properties are its
/// `data` fields, each encoded as a string by `EventFields`.
public protocol EventPayload: Codable, Sendable {
    static var kind: String { get }
}

extension Event {
    /// The event's data read as `P`. An event of another kind, or one whose fields do not decode, is an error
    /// naming the event and the field: a corrupt record is never read as absent.
    public func payload<P: EventPayload>(as type: P.Type) throws -> P {
        guard kind == P.kind else {
            throw RegistryError.corruptEvent(seq: seq, kind: kind, reason: "it is not a \(P.kind) event")
        }
        do {
            return try EventFields.decode(P.self, from: data)
        } catch let error as EventFields.FieldError {
            throw RegistryError.corruptEvent(seq: seq, kind: kind, reason: error.reason)
        }
    }

    /// Whether this event is of `P`'s kind.
    public func `is`<P: EventPayload>(_ type: P.Type) -> Bool { kind == P.kind }
}

extension Sequence<Event> {
    /// The payloads of every event of `P`'s kind, in order; the first corrupt one is an error.
    public func payloads<P: EventPayload>(_ type: P.Type) throws -> [(event: Event, payload: P)] {
        try compactMap { event in event.kind == P.kind ? (event, try event.payload(as: P.self)) : nil }
    }
}

extension Sequence<Event> {
    /// The payloads of `P`'s events whose stored field `key` is `value`, oldest first. Only those are decoded: a
    /// long log is mostly about other versions, and a byte comparison is far cheaper than a decode.
    public func payloads<P: EventPayload>(_ type: P.Type, where key: some CodingKey, is value: String) throws
        -> [(event: Event, payload: P)]
    {
        try compactMap { event in
            event.kind == P.kind && event.data[key.stringValue] == value ? (event, try event.payload(as: P.self)) : nil
        }
    }
}

extension Registry.Writer {
    /// Appends one typed event (see `append(kind:actor:data:)`).
    @discardableResult
    public mutating func append<P: EventPayload>(_ payload: P, actor: String) throws -> Event {
        try append(kind: P.kind, actor: actor, data: try EventFields.encode(payload))
    }
}

/// Several fields stored inline in the payload that holds them (a canary's facts on a tag move and on a stopped
/// promotion): flat on disk like every field, one value in Swift. An optional group is present when its
/// `presenceKey` field is.
public protocol EventFieldGroup: Codable, Sendable {
    static var presenceKey: String { get }
}

/// A number written in its own fixed format (`"%.3f"`), which `Double`'s shortest form would not reproduce: kept
/// as the text on disk, and checked to be a number when read, so a damaged one is an error, not a zero.
public struct FormattedNumber: Codable, Sendable, Equatable, CustomStringConvertible {
    public let text: String
    public let value: Double

    public init(_ value: Double, format: String) {
        text = String(format: format, value)
        self.value = Double(text) ?? value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        text = try container.decode(String.self)
        guard let value = Double(text), value.isFinite else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a number")
        }
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public var description: String { text }
}

/// Encodes a flat Codable value to the `[String: String]` an event stores, and back. Strings are kept as they
/// are, integers (`Int`, `UInt64`) in decimal, `Bool` as `true`/`false`, `Double` as Swift prints it (shortest
/// round trip), dates as `Timestamp` strings, and anything that encodes as one of those (a `String` enum)
/// likewise. A nil optional is an absent key; an `EventFieldGroup` adds its fields beside the others. A field
/// with its own fixed format stays a `String` (or a `FormattedNumber`) in the payload.
public enum EventFields {
    public struct FieldError: Error, CustomStringConvertible, Sendable {
        public var reason: String
        public var description: String { reason }
    }

    public static func encode<P: Encodable>(_ value: P) throws -> [String: String] {
        let encoder = FieldsEncoder()
        try value.encode(to: encoder)
        if let error = encoder.box.error { throw error }
        return encoder.box.fields
    }

    public static func decode<P: Decodable>(_ type: P.Type, from fields: [String: String]) throws -> P {
        do {
            return try P(from: FieldsDecoder(fields: fields))
        } catch let error as FieldError {
            throw error
        } catch let DecodingError.keyNotFound(key, _) {
            throw FieldError(reason: "its field '\(key.stringValue)' is missing")
        } catch let DecodingError.dataCorrupted(context) {
            throw FieldError(reason: context.debugDescription)
        } catch {
            throw FieldError(reason: "its fields do not decode (\(error))")
        }
    }

    /// One field's string form (the same rules as `encode`).
    static func string<T: Encodable>(_ value: T, key: String) throws -> String {
        switch value {
        case let text as String: return text
        case let number as Int: return String(number)
        case let number as UInt64: return String(number)
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Double: return String(number)
        case let date as Date: return Timestamp.string(from: date)
        case is any BinaryInteger, is any BinaryFloatingPoint:
            // Its own Codable would come straight back here: only the number types above have a field form.
            throw FieldError(reason: "field '\(key)' is a \(T.self); event fields store Int, UInt64 and Double")
        default:
            let single = SingleValueEncoder(key: key)
            try value.encode(to: single)
            guard let text = single.text else {
                throw FieldError(reason: "field '\(key)' is not a single value; event fields are flat strings")
            }
            return text
        }
    }

    /// Parses one field's string form as `T`.
    static func value<T: Decodable>(_ type: T.Type, _ text: String, key: String) throws -> T {
        // Metatype comparisons first, and the error text only when it is needed: logs are decoded whole.
        func bad() -> FieldError { FieldError(reason: "its field '\(key)' is not a valid \(T.self): '\(text)'") }
        let parsed: Any?
        if T.self == String.self {
            parsed = text
        } else if T.self == Int.self {
            parsed = Int(text)
        } else if T.self == Double.self {
            parsed = Double(text).flatMap { $0.isFinite ? $0 : nil }
        } else if T.self == Date.self {
            parsed = Timestamp.date(from: text)
        } else if T.self == Bool.self {
            parsed = text == "true" ? true : text == "false" ? false : nil
        } else if T.self == UInt64.self {
            parsed = UInt64(text)
        } else if T.self is any BinaryInteger.Type || T.self is any BinaryFloatingPoint.Type {
            throw FieldError(reason: "field '\(key)' is a \(T.self); event fields store Int, UInt64 and Double")
        } else {
            do {
                return try T(from: SingleValueDecoder(text: text, key: key))
            } catch is DecodingError {
                throw bad()
            }
        }
        guard let value = parsed as? T else { throw bad() }
        return value
    }
}

// MARK: - Encoding

private final class FieldsBox {
    var fields: [String: String] = [:]
    var error: (any Error)?
}

private struct FieldsEncoder: Encoder {
    var box = FieldsBox()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(FieldsKeyedEncoder<Key>(box: box))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.error = EventFields.FieldError(reason: "an event payload is a flat set of fields, not a list")
        return NoUnkeyedEncoder()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        box.error = EventFields.FieldError(reason: "an event payload is a flat set of fields, not one value")
        return SingleValueEncoder(key: "")
    }
}

private struct FieldsKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: FieldsBox
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {}

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let group = value as? any EventFieldGroup {
            try group.encode(to: FieldsEncoder(box: box))
            return
        }
        box.fields[key.stringValue] = try EventFields.string(value, key: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        box.error = EventFields.FieldError(reason: "field '\(key.stringValue)' nests values; event fields are flat")
        return KeyedEncodingContainer(FieldsKeyedEncoder<NestedKey>(box: FieldsBox()))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        box.error = EventFields.FieldError(reason: "field '\(key.stringValue)' is a list; event fields are flat")
        return NoUnkeyedEncoder()
    }

    mutating func superEncoder() -> any Encoder { FieldsEncoder() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { FieldsEncoder() }
}

/// Captures the one string a field's value encodes as (a `String` enum, a wrapper around a number).
private final class SingleValueEncoder: Encoder, SingleValueEncodingContainer {
    let key: String
    var text: String?
    init(key: String) { self.key = key }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<K: CodingKey>(keyedBy type: K.Type) -> KeyedEncodingContainer<K> {
        KeyedEncodingContainer(FieldsKeyedEncoder<K>(box: FieldsBox()))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer { NoUnkeyedEncoder() }
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws {}
    func encode<T: Encodable>(_ value: T) throws { text = try EventFields.string(value, key: key) }
}

private struct NoUnkeyedEncoder: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey] { [] }
    var count: Int { 0 }
    mutating func encodeNil() throws {}
    mutating func encode<T: Encodable>(_ value: T) throws {}
    mutating func nestedContainer<K: CodingKey>(keyedBy keyType: K.Type) -> KeyedEncodingContainer<K> {
        KeyedEncodingContainer(FieldsKeyedEncoder<K>(box: FieldsBox()))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
    mutating func superEncoder() -> any Encoder { FieldsEncoder() }
}

// MARK: - Decoding

private struct FieldsDecoder: Decoder {
    let fields: [String: String]
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(FieldsKeyedDecoder<Key>(fields: fields))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw EventFields.FieldError(reason: "an event payload is a flat set of fields, not a list")
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw EventFields.FieldError(reason: "an event payload is a flat set of fields, not one value")
    }
}

private struct FieldsKeyedDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: [String: String]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { fields.keys.compactMap(Key.init(stringValue:)) }

    func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }
    func decodeNil(forKey key: Key) throws -> Bool { fields[key.stringValue] == nil }

    // A group's own name is never a field on disk, so a stored field decides first (the common, fast case).
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if let text = fields[key.stringValue] { return try EventFields.value(T.self, text, key: key.stringValue) }
        if T.self is any EventFieldGroup.Type { return try T(from: FieldsDecoder(fields: fields)) }
        throw EventFields.FieldError(reason: "its field '\(key.stringValue)' is missing")
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if let text = fields[key.stringValue] { return try EventFields.value(T.self, text, key: key.stringValue) }
        guard let group = T.self as? any EventFieldGroup.Type, fields[group.presenceKey] != nil else { return nil }
        return try T(from: FieldsDecoder(fields: fields))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw EventFields.FieldError(reason: "field '\(key.stringValue)' cannot nest values")
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw EventFields.FieldError(reason: "field '\(key.stringValue)' cannot be a list")
    }
    func superDecoder() throws -> any Decoder { FieldsDecoder(fields: fields) }
    func superDecoder(forKey key: Key) throws -> any Decoder { FieldsDecoder(fields: fields) }
}

/// Hands one field's string to a type that decodes from a single value (a `String` enum, a wrapper).
private struct SingleValueDecoder: Decoder, SingleValueDecodingContainer {
    let text: String
    let key: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
        throw EventFields.FieldError(reason: "field '\(key)' cannot nest values")
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw EventFields.FieldError(reason: "field '\(key)' cannot be a list")
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value: T = try EventFields.value(T.self, text, key: key)
        return value
    }
}
