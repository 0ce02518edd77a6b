import Glibc
import GIFTestSupport
import PicoAgent
import Testing

/// The first frame of a GIF, checked with giflib linked directly (an independent reader of what was produced).
@Suite("GIF first frame")
struct GIFFirstFrameTests {
    static let red = 0xFF0000, blue = 0x0000FF, green = 0x00FF00

    /// A GIF made by giflib's encoder (see GIFTestSupport.h for the pattern).
    static func make(
        width: Int32 = 6, height: Int32 = 4, frames: Int32 = 2, interlaced: Bool = false,
        transparent: Int32 = -1
    ) -> [UInt8] {
        var size = 0
        guard let bytes = gif_test_make(width, height, frames, interlaced ? 1 : 0, transparent, &size) else {
            return []
        }
        defer { free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    static func inspect(_ data: [UInt8]) -> gif_test_info {
        data.withUnsafeBufferPointer { gif_test_inspect($0.baseAddress, $0.count) }
    }

    @Test func anAnimationBecomesItsFirstFrameAlone() throws {
        let animation = Self.make(frames: 2)
        let input = Self.inspect(animation)
        #expect(input.ok == 1 && input.frames == 2, "the test input really is animated")
        let frame = try GIFFirstFrame.convert(animation, maxOutput: 1 << 20).get()
        #expect(frame.wasAnimated)
        #expect(frame.width == 6 && frame.height == 4)
        let output = Self.inspect(frame.data)
        #expect(output.ok == 1)
        #expect(output.frames == 1)
        #expect(output.width == 6 && output.height == 4)
        // Frame 1 is a red/blue checkerboard; frame 2 is all green.
        #expect(output.first_pixel == Self.red && output.second_pixel == Self.blue && output.below_pixel == Self.blue)
        #expect(Array(frame.data.prefix(6)) == Array("GIF89a".utf8))
    }

    @Test func aStillGIFStaysOneFrameAndSaysItWasNotAnimated() throws {
        let frame = try GIFFirstFrame.convert(Self.make(frames: 1), maxOutput: 1 << 20).get()
        #expect(!frame.wasAnimated)
        #expect(Self.inspect(frame.data).frames == 1)
    }

    @Test func interlacingAndTransparencyAreKept() throws {
        let frame = try GIFFirstFrame.convert(
            Self.make(width: 5, height: 19, frames: 3, interlaced: true, transparent: 1),
            maxOutput: 1 << 20
        ).get()
        let output = Self.inspect(frame.data)
        #expect(output.frames == 1)
        #expect(output.transparent == 1)
        // Row 1 comes late in an interlaced stream: read back in the right place only if the order was kept.
        #expect(output.first_pixel == Self.red && output.below_pixel == Self.blue)
    }

    @Test func damagedInputIsRefusedWithAReason() {
        let gif = Self.make(frames: 2)
        #expect(
            GIFFirstFrame.convert(Array(gif.prefix(30)), maxOutput: 1 << 20) == .failure(.malformed("it is cut short")))
        #expect(
            GIFFirstFrame.convert(Array("GIF89a".utf8), maxOutput: 1 << 20) == .failure(.malformed("it is cut short")))
        #expect(
            GIFFirstFrame.convert(Array("PNG not a gif at all".utf8), maxOutput: 1 << 20)
                == .failure(.malformed("it does not start like a GIF")))
        // A header, a screen and the trailer: no picture at all.
        let empty: [UInt8] = Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0, 0x3B]
        #expect(GIFFirstFrame.convert(empty, maxOutput: 1 << 20) == .failure(.malformed("it holds no picture")))
    }

    @Test func aFrameWithoutAnyColourTableIsRefused() {
        // 1×1 screen without a global table, one 1×1 image without a local one.
        let gif: [UInt8] =
            Array("GIF89a".utf8) + [1, 0, 1, 0, 0x00, 0, 0]
            + [0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B]
        #expect(GIFFirstFrame.convert(gif, maxOutput: 1 << 20) == .failure(.malformed("it has no colour table")))
    }

    @Test func hugeCanvasesAreRefusedBeforeAnyPixelIsDecoded() {
        // The screen claims 60000×60000 with a 1×1 frame: refused on the header alone.
        var gif = Self.make(width: 1, height: 1, frames: 1)
        gif[6] = 0x60; gif[7] = 0xEA; gif[8] = 0x60; gif[9] = 0xEA
        #expect(GIFFirstFrame.convert(gif, maxOutput: 1 << 20) == .failure(.tooManyPixels(width: 60000, height: 60000)))
        // Under the side cap, over the pixel cap: 5000×5000 = 25 megapixels.
        gif[6] = 0x88; gif[7] = 0x13; gif[8] = 0x88; gif[9] = 0x13
        #expect(GIFFirstFrame.convert(gif, maxOutput: 1 << 20) == .failure(.tooManyPixels(width: 5000, height: 5000)))
        let message = GIFFirstFrame.Failure.tooManyPixels(width: 5000, height: 5000).description
        #expect(message.contains("5000×5000") && message.contains("16 megapixels"), "\(message)")
    }

    @Test func theOutputCapHolds() {
        #expect(
            GIFFirstFrame.convert(Self.make(width: 64, height: 64, frames: 2), maxOutput: 100)
                == .failure(.tooLarge(limit: 100)))
    }

    @Test func framesAfterTheFirstAreNeverDecoded() throws {
        // Frame 2 is cut off in its pixel data: a reader of the whole file fails, the first frame still comes out
        // (only frame 2's start is looked at, to tell that there was more than one frame).
        let animation = Self.make(width: 64, height: 64, frames: 2)
        let damaged = Array(animation.dropLast(8))
        #expect(Self.inspect(damaged).ok == 0)
        let frame = try GIFFirstFrame.convert(damaged, maxOutput: 1 << 20).get()
        #expect(frame.wasAnimated)
        #expect(Self.inspect(frame.data).frames == 1)
    }

    @Test func corruptedGIFsNeverCrashAndEveryOutputIsAStillGIF() {
        // 2000 GIFs with 1–4 bytes overwritten (a fixed seed: the same run every time). Each is refused or
        // converted; whatever comes out reads back as one frame.
        let gif = Self.make(width: 9, height: 7, frames: 3, interlaced: true, transparent: 2)
        var x: UInt64 = 0x6A09E667  // a linear congruential sequence: the same bytes every run
        func next() -> UInt64 { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return x >> 33 }
        var converted = 0
        for _ in 0..<2000 {
            var bad = gif
            for _ in 0..<(1 + Int(next() % 4)) {
                bad[Int(next() % UInt64(bad.count))] = UInt8(truncatingIfNeeded: next())
            }
            if case .success(let frame) = GIFFirstFrame.convert(bad, maxOutput: 1 << 20) {
                converted += 1
                let back = Self.inspect(frame.data)
                #expect(back.ok == 1 && back.frames == 1)
            }
        }
        #expect(converted > 0 && converted < 2000, "\(converted)")
    }
}
