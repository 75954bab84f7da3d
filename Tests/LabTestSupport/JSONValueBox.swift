// Untyped JSON read back from a command's --json output or a file, with forgiving accessors for assertions.
import Foundation

public struct JSONValueBox {
    public let value: Any

    public init(_ value: Any) { self.value = value }

    /// Parses `text`; a scalar at the top is allowed.
    public init(parsing text: String) throws {
        value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    public subscript(key: String) -> JSONValueBox { JSONValueBox((value as? [String: Any])?[key] ?? NSNull()) }
    public subscript(index: Int) -> JSONValueBox {
        guard let array = value as? [Any], index < array.count else { return JSONValueBox(NSNull()) }
        return JSONValueBox(array[index])
    }
    public var string: String? { value as? String }
    public var int: Int? { (value as? NSNumber)?.intValue }
    public var double: Double? { (value as? NSNumber)?.doubleValue }
    public var bool: Bool? { (value as? NSNumber)?.boolValue }
    public var array: [JSONValueBox] { ((value as? [Any]) ?? []).map(JSONValueBox.init) }
    public var count: Int { (value as? [Any])?.count ?? (value as? [String: Any])?.count ?? 0 }
}
