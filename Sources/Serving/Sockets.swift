// The socket calls that differ between Linux and Darwin, in one place so the server and the client read the same
// on both. A peer that hangs up must end one connection, never the process: Linux asks for no SIGPIPE on each
// send, Darwin marks the socket once.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum Sockets {
    /// A new IPv4 TCP socket, or -1.
    static func openStream() -> Int32 {
        #if canImport(Glibc)
            return socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
            if descriptor >= 0 { refuseSignalOnHangUp(descriptor) }
            return descriptor
        #endif
    }

    /// Readies a connection the listener accepted: no Nagle delay for small answers, no SIGPIPE, and a fixed
    /// send buffer. Left to autotuning, Linux lets each connection queue up to 4 MB for a peer that never reads
    /// (a gigabyte of kernel memory at the connection cap); 32 KiB (doubled by the kernel) holds the service's
    /// usual answers whole, and a peer that does not read shows as a blocked write after a few of them.
    static func prepareAccepted(_ descriptor: Int32) {
        var yes: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        var sendBuffer: Int32 = 32 * 1024
        setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &sendBuffer, socklen_t(MemoryLayout<Int32>.size))
        #if !canImport(Glibc)
            refuseSignalOnHangUp(descriptor)
        #endif
    }

    /// Sends up to `count` bytes; the bytes sent, or a negative number on error (errno says which).
    static func send(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            return Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
        #else
            return Darwin.send(descriptor, bytes, count, 0)
        #endif
    }

    /// Sends what fits in the socket's buffer now without waiting; -1 with EAGAIN or EWOULDBLOCK when nothing
    /// fits, so the caller can wait with a deadline instead of blocking for as long as the peer likes.
    static func sendNow(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            return Glibc.send(descriptor, bytes, count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        #else
            return Darwin.send(descriptor, bytes, count, MSG_DONTWAIT)
        #endif
    }

    /// Makes closing the socket reset the connection at once instead of leaving what is still queued for the peer
    /// in the kernel: for a peer that stopped reading, that data would never be delivered, and the socket would
    /// linger, holding its buffer, until TCP gave up on it minutes later.
    static func resetOnClose(_ descriptor: Int32) {
        var abort = linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &abort, socklen_t(MemoryLayout<linger>.size))
    }

    /// True when a send failed only because the socket's buffer is full.
    static var wouldBlock: Bool { errno == EAGAIN || errno == EWOULDBLOCK }

    #if !canImport(Glibc)
        private static func refuseSignalOnHangUp(_ descriptor: Int32) {
            var yes: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
    #endif
}
