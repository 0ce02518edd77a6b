import CGif

/// The first frame of a GIF as a GIF of its own, for models that take still pictures (OpenAI refuses animated
/// GIFs; the others would see frame one anyway). giflib decodes and re-encodes it line by line, loaded on first use
/// (`libgif.so.7`), so an idle gateway does not map it and an animation with many frames never sits in memory
/// decoded: only frame one is read, and its size is checked before any pixel is.
public enum GIFFirstFrame {
    /// The longest side accepted (Anthropic refuses pictures over 8000 pixels a side).
    public static let maxSide = 8000
    /// The most pixels accepted (16 megapixels, e.g. 4096×4096).
    public static let maxPixels = 16 << 20

    /// A converted frame.
    public struct Frame: Sendable, Equatable {
        /// A GIF holding only the first frame (same canvas, palette, position and transparency).
        public var data: [UInt8]
        public var width: Int
        public var height: Int
        /// Whether the input had more frames.
        public var wasAnimated: Bool
    }

    /// Why a GIF was refused; `description` is said to the sender.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case unavailable
        case malformed(String)
        case tooManyPixels(width: Int, height: Int)
        case tooLarge(limit: Int)
        case outOfMemory

        public var description: String {
            switch self {
            case .unavailable:
                "GIF pictures cannot be read on this server (giflib, Debian package libgif7, is not installed)"
            case .malformed(let why):
                "it is not a GIF picture I can read (\(why))"
            case .tooManyPixels(let width, let height):
                "the picture is \(width)×\(height) pixels; I read GIFs up to \(GIFFirstFrame.maxSide) pixels a side and \(GIFFirstFrame.maxPixels >> 20) megapixels"
            case .tooLarge(let limit):
                "its first frame alone is larger than \(limit >> 20) MB"
            case .outOfMemory:
                "there was not enough memory to read it"
            }
        }
    }

    /// Whether giflib could be loaded.
    public static var isAvailable: Bool { pico_gif_available() != 0 }

    /// Frame one of `gif`, at most `maxOutput` bytes once re-encoded. CPU-bound (and the first call loads giflib):
    /// call it off the cooperative pool.
    public static func convert(_ gif: [UInt8], maxOutput: Int) -> Result<Frame, Failure> {
        var out = pico_gif_frame()
        let status = gif.withUnsafeBufferPointer { buf in
            pico_gif_first_frame(buf.baseAddress, buf.count, Int32(maxSide), Int64(maxPixels), max(0, maxOutput), &out)
        }
        defer { pico_gif_free(out.data) }
        switch Int(status) {
        case Int(PICO_GIF_OK):
            guard let bytes = out.data else { return .failure(.outOfMemory) }
            let data = Array(UnsafeBufferPointer(start: bytes, count: out.size))
            return .success(
                Frame(data: data, width: Int(out.width), height: Int(out.height), wasAnimated: out.animated != 0))
        case Int(PICO_GIF_UNAVAILABLE):
            return .failure(.unavailable)
        case Int(PICO_GIF_TOO_MANY_PIXELS):
            return .failure(.tooManyPixels(width: Int(out.width), height: Int(out.height)))
        case Int(PICO_GIF_OUTPUT_TOO_LARGE):
            return .failure(.tooLarge(limit: maxOutput))
        case Int(PICO_GIF_NO_MEMORY):
            return .failure(.outOfMemory)
        default:
            return .failure(.malformed(reason(giflibError: Int(out.gif_error))))
        }
    }

    /// giflib's error code in the sender's words (giflib's own text for the rare ones).
    static func reason(giflibError code: Int) -> String {
        switch code {
        case 102, 104, 113: "it is cut short"  // D_GIF_ERR_READ_FAILED, D_GIF_ERR_NO_SCRN_DSCR, D_GIF_ERR_EOF_TOO_SOON
        case 103: "it does not start like a GIF"  // D_GIF_ERR_NOT_GIF_FILE
        case 105: "it holds no picture"  // D_GIF_ERR_NO_IMAG_DSCR
        case 106: "it has no colour table"  // D_GIF_ERR_NO_COLOR_MAP
        case 107, 108, 112: "it is damaged"  // D_GIF_ERR_WRONG_RECORD, D_GIF_ERR_DATA_TOO_BIG, D_GIF_ERR_IMAGE_DEFECT
        default: String(cString: pico_gif_error_string(Int32(code)))
        }
    }
}
