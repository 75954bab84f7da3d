// UTF-8 validation that says where: a text file that is not UTF-8 is named with the offset of its first bad
// byte, so a person can find it (`cmp`, a hex editor, or their editor's "go to byte").
public import Foundation

public enum UTF8Text {
    /// The byte order mark some editors put at the start of UTF-8 files (Excel's "CSV UTF-8", Notepad).
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The offset of the first byte that is not part of well-formed UTF-8 (no overlong forms, no surrogates,
    /// nothing above U+10FFFF), or nil when all of `bytes` is well-formed.
    public static func firstInvalidOffset<Bytes: Collection>(in bytes: Bytes) -> Int? where Bytes.Element == UInt8 {
        let bytes = Array(bytes)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return index
            }
            for offset in 1..<length {
                guard index + offset < bytes.count else { return index }
                let byte = bytes[index + offset]
                let range: ClosedRange<UInt8> = offset == 1 ? low...high : 0x80...0xBF
                guard range.contains(byte) else { return index }
            }
            index += length
        }
        return nil
    }

    /// The text of `data` without a leading byte order mark, or the offset of the first byte that is not UTF-8
    /// (counted in the file as given, mark included).
    public static func decode(_ data: Data) -> Result<String, InvalidByte> {
        let bytes = [UInt8](data)
        let skip = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        if let offset = firstInvalidOffset(in: bytes[skip...]) { return .failure(InvalidByte(offset: skip + offset)) }
        return .success(String(decoding: bytes[skip...], as: UTF8.self))
    }

    public struct InvalidByte: Error, Sendable, Equatable {
        public var offset: Int
    }
}
