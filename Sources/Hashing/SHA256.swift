// SHA-256 (FIPS 180-4), streamed: a portable Swift path and the CPU's SHA extensions when present.
public import Foundation
import CSHA256

#if canImport(Glibc)
    import Glibc
#endif

public struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]

    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text = [UInt8](repeating: 0, count: bytes.count * 2)
        for (index, byte) in bytes.enumerated() {
            text[index * 2] = digits[Int(byte >> 4)]
            text[index * 2 + 1] = digits[Int(byte & 0x0F)]
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }
}

public enum HashingError: Error, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "Cannot read \(path): \(reason)."
        }
    }
}

public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    private var buffer = [UInt8](repeating: 0, count: 64)
    private var buffered = 0
    private var length: UInt64 = 0
    private let accelerated: Bool

    public init() { accelerated = SHA256.useAccelerated }

    /// For tests: force the portable path whatever the CPU offers.
    init(portable: Bool) { accelerated = portable ? false : SHA256.useAccelerated }

    static let useAccelerated: Bool =
        csha256_has_shani() != 0 && ProcessInfo.processInfo.environment["LABRUNNER_PORTABLE_SHA"] != "1"

    /// "sha-ni" when the CPU's SHA extensions are used, else "portable".
    public static var implementation: String { useAccelerated ? "sha-ni" : "portable" }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var pointer = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        length &+= UInt64(remaining)
        if buffered > 0 {
            let take = min(64 - buffered, remaining)
            buffer.withUnsafeMutableBytes { raw in _ = raw.baseAddress.map { memcpy($0 + buffered, pointer, take) } }
            buffered += take
            pointer += take
            remaining -= take
            if buffered == 64 {
                let block = buffer
                block.withUnsafeBytes { compress($0.baseAddress, blocks: 1) }
                buffered = 0
            }
        }
        let blocks = remaining / 64
        if blocks > 0 {
            compress(pointer, blocks: blocks)
            pointer += blocks * 64
            remaining -= blocks * 64
        }
        if remaining > 0 {
            buffer.withUnsafeMutableBytes { raw in _ = raw.baseAddress.map { memcpy($0, pointer, remaining) } }
            buffered = remaining
        }
    }

    public mutating func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    public mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of everything so far; the hasher itself is unchanged.
    public func finalize() -> SHA256Digest {
        var copy = self
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padding = (55 - buffered + 64) % 64
        tail += [UInt8](repeating: 0, count: padding)
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedLength = copy.length
        tail.withUnsafeBytes { copy.update($0) }
        copy.length = savedLength
        let words = [
            copy.state.0, copy.state.1, copy.state.2, copy.state.3, copy.state.4, copy.state.5, copy.state.6,
            copy.state.7,
        ]
        return SHA256Digest(
            bytes: words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } })
    }

    public static func hash(_ data: Data) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize()
    }

    public static func hash(_ string: String) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(string)
        return hasher.finalize()
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> SHA256Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Streams the file in 1 MiB chunks; memory stays flat whatever its size.
    public static func hash(fileAt path: String) throws -> SHA256Digest {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HashingError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var hasher = SHA256()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { chunk.deallocate() }
        while true {
            let count = read(descriptor, chunk.baseAddress, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw HashingError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
        }
        return hasher.finalize()
    }

    private mutating func compress(_ pointer: UnsafeRawPointer?, blocks: Int) {
        guard let pointer else { return }
        if accelerated {
            withUnsafeMutableBytes(of: &state) { raw in
                csha256_shani_blocks(
                    raw.baseAddress?.assumingMemoryBound(to: UInt32.self), pointer.assumingMemoryBound(to: UInt8.self),
                    blocks)
            }
        } else {
            portableBlocks(pointer, count: blocks)
        }
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// FIPS 180-4 compression: eight rounds at a time with the working variables renamed instead of moved,
    /// and the message schedule kept in a 16-word ring, so the compiler keeps the state in registers.
    private mutating func portableBlocks(_ start: UnsafeRawPointer, count: Int) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { w in
            SHA256.k.withUnsafeBufferPointer { k in
                for blockIndex in 0..<count {
                    let block = start + blockIndex * 64
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self))
                    }
                    var a = h0
                    var b = h1
                    var c = h2
                    var d = h3
                    var e = h4
                    var f = h5
                    var g = h6
                    var h = h7
                    // Rounds 0–15 use the loaded words; rounds 16–63 extend the schedule as they go.
                    var t = 0
                    while t < 16 {
                        SHA256.round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                        SHA256.round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                        SHA256.round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                        SHA256.round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                        SHA256.round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                        SHA256.round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                        SHA256.round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                        SHA256.round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                        t += 8
                    }
                    while t < 64 {
                        SHA256.round(a, b, c, &d, e, f, g, &h, k[t] &+ SHA256.schedule(w, t))
                        SHA256.round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ SHA256.schedule(w, t + 1))
                        SHA256.round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ SHA256.schedule(w, t + 2))
                        SHA256.round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ SHA256.schedule(w, t + 3))
                        SHA256.round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ SHA256.schedule(w, t + 4))
                        SHA256.round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ SHA256.schedule(w, t + 5))
                        SHA256.round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ SHA256.schedule(w, t + 6))
                        SHA256.round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ SHA256.schedule(w, t + 7))
                        t += 8
                    }
                    h0 &+= a
                    h1 &+= b
                    h2 &+= c
                    h3 &+= d
                    h4 &+= e
                    h5 &+= f
                    h6 &+= g
                    h7 &+= h
                }
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }

    /// Schedule word `t` (16 ≤ t < 64), computed into the ring slot t mod 16.
    @inline(__always)
    private static func schedule(_ w: UnsafeMutableBufferPointer<UInt32>, _ t: Int) -> UInt32 {
        let x = w[(t - 15) & 15]
        let y = w[(t - 2) & 15]
        let s0 = x.rotatedRight(7) ^ x.rotatedRight(18) ^ (x &>> 3)
        let s1 = y.rotatedRight(17) ^ y.rotatedRight(19) ^ (y &>> 10)
        let value = w[t & 15] &+ s0 &+ w[(t - 7) & 15] &+ s1
        w[t & 15] = value
        return value
    }

    /// One round; the caller renames the variables for the next round instead of shifting them.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32, _ e: UInt32, _ f: UInt32, _ g: UInt32,
        _ h: inout UInt32, _ kw: UInt32
    ) {
        let t1 = h &+ (e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)) &+ ((e & f) ^ (~e & g)) &+ kw
        let t2 = (a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)) &+ ((a & b) ^ (c & (a ^ b)))
        d &+= t1
        h = t1 &+ t2
    }
}

extension UInt32 {
    @inline(__always) fileprivate func rotatedRight(_ count: UInt32) -> UInt32 {
        // Masking shifts compile to one rotate instruction; the checked shifts would branch.
        (self &>> count) | (self &<< (32 &- count))
    }
}
