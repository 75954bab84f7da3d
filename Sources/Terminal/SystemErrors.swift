// Foundation's file errors as sentences: "Error Domain=NSCocoaErrorDomain Code=512 …" never reaches a user.
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum SystemErrors {
    /// The sentence a user reads for `error`: its own description, unless it is one of Foundation's
    /// NSError-shaped errors, which are reduced to the path and the operating system's reason.
    public static func sentence(for error: any Error) -> String {
        let ns = error as NSError
        guard [NSCocoaErrorDomain, NSPOSIXErrorDomain].contains(ns.domain) else { return String(describing: error) }
        let path =
            (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        let reason = reason(for: error)
        guard let path else { return "A file operation failed: \(reason); check the paths given and try again." }
        return "Cannot use \(path): \(reason); check the path and try again."
    }

    /// The operating system's reason for a Foundation file error, in lower case ("is a directory").
    public static func reason(for thrown: any Error) -> String {
        let error = thrown as NSError
        guard [NSCocoaErrorDomain, NSPOSIXErrorDomain].contains(error.domain) else {
            return String(describing: thrown)
        }
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))).lowercased() }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code))).lowercased()
        }
        switch CocoaError.Code(rawValue: error.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteFileExists: return "it already exists"
        case .fileWriteOutOfSpace: return "the disk is full"
        case .fileWriteVolumeReadOnly: return "the volume is read-only"
        case .fileReadCorruptFile, .fileReadInapplicableStringEncoding: return "its contents cannot be read"
        default: return "the operating system refused (code \(error.code))"
        }
    }
}
