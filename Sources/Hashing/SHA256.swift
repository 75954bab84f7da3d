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

    /// FIPS 180-4 compression, all 64 rounds written out (generated) with the schedule in sixteen named
    /// locals and the working variables renamed rather than moved, so everything stays in registers.
    private mutating func portableBlocks(_ start: UnsafeRawPointer, count: Int) {
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        for blockIndex in 0..<count {
            let block = start + blockIndex * 64
            do {
                var w0 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
                var w1 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                var w2 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
                var w3 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
                var w4 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
                var w5 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
                var w6 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
                var w7 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
                var w8 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
                var w9 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
                var w10 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
                var w11 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
                var w12 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
                var w13 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
                var w14 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
                var w15 = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
                var a = h0
                var b = h1
                var c = h2
                var d = h3
                var e = h4
                var f = h5
                var g = h6
                var h = h7
                SHA256.round(a, b, c, &d, e, f, g, &h, 0x428a_2f98 &+ w0)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0x7137_4491 &+ w1)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0xb5c0_fbcf &+ w2)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0xe9b5_dba5 &+ w3)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0x3956_c25b &+ w4)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0x59f1_11f1 &+ w5)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0x923f_82a4 &+ w6)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0xab1c_5ed5 &+ w7)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0xd807_aa98 &+ w8)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0x1283_5b01 &+ w9)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0x2431_85be &+ w10)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0x550c_7dc3 &+ w11)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0x72be_5d74 &+ w12)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0x80de_b1fe &+ w13)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0x9bdc_06a7 &+ w14)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0xc19b_f174 &+ w15)
                w0 = w0 &+ SHA256.smallSigma0(w1) &+ w9 &+ SHA256.smallSigma1(w14)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0xe49b_69c1 &+ w0)
                w1 = w1 &+ SHA256.smallSigma0(w2) &+ w10 &+ SHA256.smallSigma1(w15)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0xefbe_4786 &+ w1)
                w2 = w2 &+ SHA256.smallSigma0(w3) &+ w11 &+ SHA256.smallSigma1(w0)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0x0fc1_9dc6 &+ w2)
                w3 = w3 &+ SHA256.smallSigma0(w4) &+ w12 &+ SHA256.smallSigma1(w1)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0x240c_a1cc &+ w3)
                w4 = w4 &+ SHA256.smallSigma0(w5) &+ w13 &+ SHA256.smallSigma1(w2)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0x2de9_2c6f &+ w4)
                w5 = w5 &+ SHA256.smallSigma0(w6) &+ w14 &+ SHA256.smallSigma1(w3)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0x4a74_84aa &+ w5)
                w6 = w6 &+ SHA256.smallSigma0(w7) &+ w15 &+ SHA256.smallSigma1(w4)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0x5cb0_a9dc &+ w6)
                w7 = w7 &+ SHA256.smallSigma0(w8) &+ w0 &+ SHA256.smallSigma1(w5)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0x76f9_88da &+ w7)
                w8 = w8 &+ SHA256.smallSigma0(w9) &+ w1 &+ SHA256.smallSigma1(w6)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0x983e_5152 &+ w8)
                w9 = w9 &+ SHA256.smallSigma0(w10) &+ w2 &+ SHA256.smallSigma1(w7)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0xa831_c66d &+ w9)
                w10 = w10 &+ SHA256.smallSigma0(w11) &+ w3 &+ SHA256.smallSigma1(w8)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0xb003_27c8 &+ w10)
                w11 = w11 &+ SHA256.smallSigma0(w12) &+ w4 &+ SHA256.smallSigma1(w9)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0xbf59_7fc7 &+ w11)
                w12 = w12 &+ SHA256.smallSigma0(w13) &+ w5 &+ SHA256.smallSigma1(w10)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0xc6e0_0bf3 &+ w12)
                w13 = w13 &+ SHA256.smallSigma0(w14) &+ w6 &+ SHA256.smallSigma1(w11)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0xd5a7_9147 &+ w13)
                w14 = w14 &+ SHA256.smallSigma0(w15) &+ w7 &+ SHA256.smallSigma1(w12)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0x06ca_6351 &+ w14)
                w15 = w15 &+ SHA256.smallSigma0(w0) &+ w8 &+ SHA256.smallSigma1(w13)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0x1429_2967 &+ w15)
                w0 = w0 &+ SHA256.smallSigma0(w1) &+ w9 &+ SHA256.smallSigma1(w14)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0x27b7_0a85 &+ w0)
                w1 = w1 &+ SHA256.smallSigma0(w2) &+ w10 &+ SHA256.smallSigma1(w15)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0x2e1b_2138 &+ w1)
                w2 = w2 &+ SHA256.smallSigma0(w3) &+ w11 &+ SHA256.smallSigma1(w0)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0x4d2c_6dfc &+ w2)
                w3 = w3 &+ SHA256.smallSigma0(w4) &+ w12 &+ SHA256.smallSigma1(w1)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0x5338_0d13 &+ w3)
                w4 = w4 &+ SHA256.smallSigma0(w5) &+ w13 &+ SHA256.smallSigma1(w2)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0x650a_7354 &+ w4)
                w5 = w5 &+ SHA256.smallSigma0(w6) &+ w14 &+ SHA256.smallSigma1(w3)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0x766a_0abb &+ w5)
                w6 = w6 &+ SHA256.smallSigma0(w7) &+ w15 &+ SHA256.smallSigma1(w4)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0x81c2_c92e &+ w6)
                w7 = w7 &+ SHA256.smallSigma0(w8) &+ w0 &+ SHA256.smallSigma1(w5)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0x9272_2c85 &+ w7)
                w8 = w8 &+ SHA256.smallSigma0(w9) &+ w1 &+ SHA256.smallSigma1(w6)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0xa2bf_e8a1 &+ w8)
                w9 = w9 &+ SHA256.smallSigma0(w10) &+ w2 &+ SHA256.smallSigma1(w7)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0xa81a_664b &+ w9)
                w10 = w10 &+ SHA256.smallSigma0(w11) &+ w3 &+ SHA256.smallSigma1(w8)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0xc24b_8b70 &+ w10)
                w11 = w11 &+ SHA256.smallSigma0(w12) &+ w4 &+ SHA256.smallSigma1(w9)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0xc76c_51a3 &+ w11)
                w12 = w12 &+ SHA256.smallSigma0(w13) &+ w5 &+ SHA256.smallSigma1(w10)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0xd192_e819 &+ w12)
                w13 = w13 &+ SHA256.smallSigma0(w14) &+ w6 &+ SHA256.smallSigma1(w11)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0xd699_0624 &+ w13)
                w14 = w14 &+ SHA256.smallSigma0(w15) &+ w7 &+ SHA256.smallSigma1(w12)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0xf40e_3585 &+ w14)
                w15 = w15 &+ SHA256.smallSigma0(w0) &+ w8 &+ SHA256.smallSigma1(w13)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0x106a_a070 &+ w15)
                w0 = w0 &+ SHA256.smallSigma0(w1) &+ w9 &+ SHA256.smallSigma1(w14)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0x19a4_c116 &+ w0)
                w1 = w1 &+ SHA256.smallSigma0(w2) &+ w10 &+ SHA256.smallSigma1(w15)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0x1e37_6c08 &+ w1)
                w2 = w2 &+ SHA256.smallSigma0(w3) &+ w11 &+ SHA256.smallSigma1(w0)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0x2748_774c &+ w2)
                w3 = w3 &+ SHA256.smallSigma0(w4) &+ w12 &+ SHA256.smallSigma1(w1)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0x34b0_bcb5 &+ w3)
                w4 = w4 &+ SHA256.smallSigma0(w5) &+ w13 &+ SHA256.smallSigma1(w2)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0x391c_0cb3 &+ w4)
                w5 = w5 &+ SHA256.smallSigma0(w6) &+ w14 &+ SHA256.smallSigma1(w3)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0x4ed8_aa4a &+ w5)
                w6 = w6 &+ SHA256.smallSigma0(w7) &+ w15 &+ SHA256.smallSigma1(w4)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0x5b9c_ca4f &+ w6)
                w7 = w7 &+ SHA256.smallSigma0(w8) &+ w0 &+ SHA256.smallSigma1(w5)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0x682e_6ff3 &+ w7)
                w8 = w8 &+ SHA256.smallSigma0(w9) &+ w1 &+ SHA256.smallSigma1(w6)
                SHA256.round(a, b, c, &d, e, f, g, &h, 0x748f_82ee &+ w8)
                w9 = w9 &+ SHA256.smallSigma0(w10) &+ w2 &+ SHA256.smallSigma1(w7)
                SHA256.round(h, a, b, &c, d, e, f, &g, 0x78a5_636f &+ w9)
                w10 = w10 &+ SHA256.smallSigma0(w11) &+ w3 &+ SHA256.smallSigma1(w8)
                SHA256.round(g, h, a, &b, c, d, e, &f, 0x84c8_7814 &+ w10)
                w11 = w11 &+ SHA256.smallSigma0(w12) &+ w4 &+ SHA256.smallSigma1(w9)
                SHA256.round(f, g, h, &a, b, c, d, &e, 0x8cc7_0208 &+ w11)
                w12 = w12 &+ SHA256.smallSigma0(w13) &+ w5 &+ SHA256.smallSigma1(w10)
                SHA256.round(e, f, g, &h, a, b, c, &d, 0x90be_fffa &+ w12)
                w13 = w13 &+ SHA256.smallSigma0(w14) &+ w6 &+ SHA256.smallSigma1(w11)
                SHA256.round(d, e, f, &g, h, a, b, &c, 0xa450_6ceb &+ w13)
                w14 = w14 &+ SHA256.smallSigma0(w15) &+ w7 &+ SHA256.smallSigma1(w12)
                SHA256.round(c, d, e, &f, g, h, a, &b, 0xbef9_a3f7 &+ w14)
                w15 = w15 &+ SHA256.smallSigma0(w0) &+ w8 &+ SHA256.smallSigma1(w13)
                SHA256.round(b, c, d, &e, f, g, h, &a, 0xc671_78f2 &+ w15)
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
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }

    @inline(__always)
    private static func smallSigma0(_ x: UInt32) -> UInt32 { x.rotatedRight(7) ^ x.rotatedRight(18) ^ (x &>> 3) }

    @inline(__always)
    private static func smallSigma1(_ x: UInt32) -> UInt32 { x.rotatedRight(17) ^ x.rotatedRight(19) ^ (x &>> 10) }

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
