// Text handling shared by training and answering: tokens, features, word counts, a stable hash.

import Foundation

enum Text {
    /// Lowercased alphanumeric tokens; digits stay inside tokens so amounts survive ("$650" → "650").
    static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            let lower = (byte >= 65 && byte <= 90) ? byte + 32 : byte
            if (lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57) {
                current.append(lower)
            } else if !current.isEmpty {
                result.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { result.append(String(decoding: current, as: UTF8.self)) }
        return result
    }

    /// Bag-of-words features: each token, and with bigrams each adjacent pair joined by '_'.
    static func features(_ tokens: [String], bigrams: Bool) -> [String] {
        var result = tokens
        if bigrams, tokens.count > 1 {
            for index in 1..<tokens.count { result.append(tokens[index - 1] + "_" + tokens[index]) }
        }
        return result
    }

    static func wordCount(_ text: String) -> Int { text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count }

    /// The first `limit` words, with a closing full stop kept when the cut lands mid-sentence.
    static func truncate(_ text: String, words limit: Int) -> String {
        // Walk the bytes to the end of the limit-th word; most answers are cut, so no splitting into words.
        let bytes = Array(text.utf8)
        var words = 0
        var inWord = false
        var end = bytes.count
        for (index, byte) in bytes.enumerated() {
            let space = byte == 0x20 || byte == 0x0A
            if !space, !inWord {
                words += 1
                if words > limit {
                    end = index
                    break
                }
            }
            inWord = !space
        }
        guard words > limit else { return text }
        while end > 0, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x0A { end -= 1 }
        var cut = String(decoding: bytes[..<end], as: UTF8.self)
        if let last = bytes[..<end].last, last != UInt8(ascii: "."), last != UInt8(ascii: "!"),
            last != UInt8(ascii: "?")
        {
            cut += "…"
        }
        return cut
    }

    /// FNV-1a over UTF-8: a stable 64-bit hash (Swift's Hasher is randomly seeded per process).
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
