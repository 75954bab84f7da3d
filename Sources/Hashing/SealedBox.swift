// A small authenticated stream cipher built from SHA-256 alone (Linux has no CryptoKit), for secrets a file must
// hold without showing them, such as a drill's fault until the drill ends.
//
// From a 32-byte key two subkeys are derived: enc = SHA-256("sealed-box enc" 0x00 key) and
// mac = SHA-256("sealed-box mac" 0x00 key). The keystream is SHA-256 in counter mode, block i being
// SHA-256(enc ‖ nonce ‖ i as 8 bytes big-endian), XORed with the plaintext. The tag is HMAC-SHA-256 (RFC 2104)
// under mac over "sb1" ‖ nonce ‖ ciphertext, so a changed byte, a wrong key or a swapped nonce is refused. The
// box is written as "sb1:" followed by base64 of nonce (16 bytes) ‖ ciphertext ‖ tag (32 bytes).
//
// A nonce must never repeat under one key: callers that seal several values under one key give each its own.
public import Foundation

public enum SealedBox {
    public static let prefix = "sb1:"
    static let nonceSize = 16
    static let tagSize = 32

    /// HMAC-SHA-256 of `message` under `key` (RFC 2104).
    public static func hmac(key: [UInt8], _ message: Data) -> SHA256Digest {
        var block = key.count > 64 ? SHA256.hash(Data(key)).bytes : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(Data(block.map { $0 ^ 0x36 }))
        inner.update(message)
        var outer = SHA256()
        outer.update(Data(block.map { $0 ^ 0x5c }))
        outer.update(Data(inner.finalize().bytes))
        return outer.finalize()
    }

    /// `plaintext` sealed under `key` with `nonce` (16 bytes; a shorter one is padded with zeros).
    public static func seal(_ plaintext: Data, key: [UInt8], nonce: [UInt8]) -> String {
        let nonce = Array((nonce + [UInt8](repeating: 0, count: nonceSize)).prefix(nonceSize))
        let cipher = xor(Array(plaintext), key: key, nonce: nonce)
        let tag = self.tag(cipher, key: key, nonce: nonce)
        return prefix + Data(nonce + cipher + tag).base64EncodedString()
    }

    /// The plaintext of `box`, or nil when the key is wrong or the box was altered or is not a box.
    public static func open(_ box: String, key: [UInt8]) -> Data? {
        guard box.hasPrefix(prefix), let data = Data(base64Encoded: String(box.dropFirst(prefix.count))),
            data.count >= nonceSize + tagSize
        else { return nil }
        let bytes = Array(data)
        let nonce = Array(bytes[..<nonceSize])
        let cipher = Array(bytes[nonceSize..<(bytes.count - tagSize)])
        let given = Array(bytes[(bytes.count - tagSize)...])
        // Every byte compared, so the time taken does not say where a forged tag first differs.
        let expected = tag(cipher, key: key, nonce: nonce)
        guard zip(given, expected).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return Data(xor(cipher, key: key, nonce: nonce))
    }

    static func subkey(_ label: String, _ key: [UInt8]) -> [UInt8] {
        SHA256.hash(Data(label.utf8) + Data([0]) + Data(key)).bytes
    }

    static func tag(_ cipher: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8] {
        hmac(key: subkey("sealed-box mac", key), Data("sb1".utf8) + Data(nonce) + Data(cipher)).bytes
    }

    static func xor(_ input: [UInt8], key: [UInt8], nonce: [UInt8]) -> [UInt8] {
        let enc = subkey("sealed-box enc", key)
        var output = [UInt8]()
        output.reserveCapacity(input.count)
        var counter: UInt64 = 0
        while output.count < input.count {
            let count = withUnsafeBytes(of: counter.bigEndian) { Array($0) }
            let block = SHA256.hash(Data(enc + nonce + count)).bytes
            for byte in block where output.count < input.count {
                output.append(input[output.count] ^ byte)
            }
            counter += 1
        }
        return output
    }
}
