// The sealed box: HMAC-SHA-256 as RFC 4231 publishes it, a round trip, and every altered box or wrong key refused.
import Foundation
import Hashing
import Testing

@Suite struct SealedBoxTests {
    @Test func hmacMatchesRFC4231() {
        // RFC 4231, test case 2.
        let tag = SealedBox.hmac(key: Array("Jefe".utf8), Data("what do ya want for nothing?".utf8))
        #expect(tag.hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 6: a key longer than a block is hashed first.
        let long = SealedBox.hmac(
            key: [UInt8](repeating: 0xaa, count: 131),
            Data("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(long.hex == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func aBoxOpensWithItsKeyOnlyAndRefusesAnyChange() throws {
        let key = SHA256.hash("a key").bytes
        let plaintext = Data(String(repeating: "the fault is lkg-trap; ", count: 5).utf8)
        let box = SealedBox.seal(plaintext, key: key, nonce: Array(repeating: 7, count: 16))
        #expect(box.hasPrefix(SealedBox.prefix))
        #expect(!box.contains("lkg-trap"))
        #expect(SealedBox.open(box, key: key) == plaintext)
        #expect(SealedBox.open(box, key: SHA256.hash("another key").bytes) == nil)
        // Each byte of the box changed in turn (nonce, ciphertext, tag): refused.
        let bytes = try #require(Data(base64Encoded: String(box.dropFirst(SealedBox.prefix.count))))
        for index in [0, 15, 16, 40, bytes.count - 1] {
            var altered = bytes
            altered[index] ^= 0x01
            #expect(SealedBox.open(SealedBox.prefix + altered.base64EncodedString(), key: key) == nil, "byte \(index)")
        }
        #expect(SealedBox.open("sb1:not base64", key: key) == nil)
        // Different nonces give different ciphertexts for the same plaintext.
        #expect(SealedBox.seal(plaintext, key: key, nonce: Array(repeating: 8, count: 16)) != box)
    }
}
