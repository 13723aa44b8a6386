//! The uploaded logo: what the bytes are is decided by sniffing them (never the file name or the
//! declared type); raster images are decoded within limits and re-encoded as a PNG that fits the
//! header, which also drops any metadata or trailing payload. SVG is refused: it can carry
//! scripts and external references, and a sanitiser we would have to trust is more than a logo
//! is worth.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

use crate::domain::Error;

/// What an owner may upload (before resizing).
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// The stored logo fits in this box (twice the header's size, for sharp high-DPI screens).
pub const MAX_WIDTH: u32 = 480;
pub const MAX_HEIGHT: u32 = 160;
/// Larger sources are refused before decoding (a small file can claim a huge canvas: an
/// 8000 × 8000 PNG of one colour is 250 KB and 256 MB decoded). The caps keep the decoded image
/// and its thumbnail well inside the branding function's memory (256 MB, `template.yaml`;
/// `tests/api/codebase.rs` checks the sum).
const MAX_SOURCE_SIDE: u32 = 8000;
/// 16 megapixels: 4000 × 4000, or a wide 8000 × 2000 banner.
pub const MAX_SOURCE_PIXELS: u64 = 16_000_000;
/// What the decoder may allocate at most: 16 MP at 4 bytes a pixel fits, 16 bits a channel
/// does not.
pub const MAX_DECODE_BYTES: u64 = 64 * 1024 * 1024;
// An 8-bit RGBA image at the pixel cap decodes within the allocation cap.
const _: () = assert!(MAX_SOURCE_PIXELS * 4 <= MAX_DECODE_BYTES);

/// A logo ready to store and serve: PNG bytes and their size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

fn refused(message: &str) -> Error {
    Error::invalid("unsupported_logo", message)
}

/// Sniffs, decodes and shrinks an uploaded logo.
pub fn prepare(bytes: &[u8]) -> Result<Logo, Error> {
    if bytes.is_empty() {
        return Err(Error::malformed("empty_file", "Choose an image file for the logo."));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(Error::invalid("file_too_large", "The logo can be at most 2 MB."));
    }
    let format = match infer::get(bytes).map(|kind| kind.mime_type()) {
        Some("image/png") => ImageFormat::Png,
        Some("image/jpeg") => ImageFormat::Jpeg,
        Some("image/webp") => ImageFormat::WebP,
        _ if looks_like_svg(bytes) => {
            return Err(refused(
                "SVG logos are not accepted, because they can carry scripts. Upload a PNG, JPEG or WebP image.",
            ));
        }
        _ => return Err(refused("The logo must be a PNG, JPEG or WebP image.")),
    };
    // The header alone says how large the canvas is: too many pixels is refused unread.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| refused("This image could not be read. Save it again as PNG and retry."))?;
    if u64::from(width) * u64::from(height) > MAX_SOURCE_PIXELS || width > MAX_SOURCE_SIDE || height > MAX_SOURCE_SIDE {
        return Err(refused(
            "This image is too large: at most 16 megapixels (e.g. 4000 × 4000). Save a smaller version and retry.",
        ));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SOURCE_SIDE);
    limits.max_image_height = Some(MAX_SOURCE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let image =
        reader.decode().map_err(|_| refused("This image could not be read. Save it again as PNG and retry."))?;
    if image.width() < 16 || image.height() < 16 {
        return Err(refused("The logo must be at least 16 × 16 pixels."));
    }
    let fitted = if image.width() > MAX_WIDTH || image.height() > MAX_HEIGHT {
        image.thumbnail(MAX_WIDTH, MAX_HEIGHT)
    } else {
        image
    };
    let mut png = Vec::new();
    fitted.write_to(&mut Cursor::new(&mut png), ImageFormat::Png).map_err(Error::internal)?;
    Ok(Logo { png, width: fitted.width(), height: fitted.height() })
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    head.contains("<svg") || head.trim_start().starts_with("<?xml")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{DynamicImage, RgbaImage};

    fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let image = DynamicImage::ImageRgba8(RgbaImage::from_fn(width, height, |x, y| {
            image::Rgba([u8::try_from(x % 256).unwrap(), u8::try_from(y % 256).unwrap(), 90, 255])
        }));
        let image = if format == ImageFormat::Jpeg { DynamicImage::ImageRgb8(image.to_rgb8()) } else { image };
        let mut bytes = Vec::new();
        image.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
        bytes
    }

    #[test]
    fn large_rasters_are_shrunk_into_the_header_box_keeping_their_shape() {
        for format in [ImageFormat::Png, ImageFormat::Jpeg, ImageFormat::WebP] {
            let logo = prepare(&encoded(1200, 300, format)).unwrap();
            assert_eq!((logo.width, logo.height), (480, 120), "{format:?}");
            assert_eq!(infer::get(&logo.png).unwrap().mime_type(), "image/png");
        }
        let small = prepare(&encoded(100, 40, ImageFormat::Png)).unwrap();
        assert_eq!((small.width, small.height), (100, 40), "small logos are not enlarged");
    }

    #[test]
    fn svg_and_other_files_are_refused_by_content_not_name() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let Error::Invalid { code, message } = prepare(svg).unwrap_err() else { panic!() };
        assert_eq!(code, "unsupported_logo");
        assert!(message.contains("SVG"), "{message}");
        assert!(matches!(prepare(b"%PDF-1.7 ..."), Err(Error::Invalid { code: "unsupported_logo", .. })));
        assert!(matches!(prepare(b""), Err(Error::Malformed { code: "empty_file", .. })));
        // A PNG signature with garbage after it.
        let mut broken = encoded(64, 64, ImageFormat::Png);
        broken.truncate(40);
        assert!(matches!(prepare(&broken), Err(Error::Invalid { code: "unsupported_logo", .. })));
        assert!(matches!(prepare(&encoded(8, 8, ImageFormat::Png)), Err(Error::Invalid { .. })), "too small");
    }

    #[test]
    fn a_huge_canvas_is_refused_before_it_is_decoded() {
        // A valid PNG header claiming 20000 × 20000 pixels, with no pixel data.
        let mut png = encoded(16, 16, ImageFormat::Png);
        png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        assert!(matches!(prepare(&png), Err(Error::Invalid { code: "unsupported_logo", .. })));
    }

    /// A PNG whose header (with a correct checksum) claims `width` × `height`, and no pixels.
    fn claiming(width: u32, height: u32) -> Vec<u8> {
        let mut png = encoded(16, 16, ImageFormat::Png);
        png[16..20].copy_from_slice(&width.to_be_bytes());
        png[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&png[12..29]); // chunk type and data of IHDR
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        png
    }

    /// CRC-32 as PNG chunks use it (ISO 3309), bit by bit: a test helper, not a hot path.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn a_canvas_over_the_pixel_cap_is_refused_unread_even_within_the_side_limit() {
        // 8000 × 8000 (64 MP, 256 MB decoded) would kill a 256 MB function: refused by its header.
        for (width, height) in [(8000, 8000), (8000, 2001), (4001, 4000)] {
            let Err(Error::Invalid { message, .. }) = prepare(&claiming(width, height)) else { panic!("{width}") };
            assert!(message.contains("too large"), "{width} × {height}: {message}");
        }
        // At the cap, the canvas is allowed to be read (this one has no pixels, so it fails there).
        let Err(Error::Invalid { message, .. }) = prepare(&claiming(4000, 4000)) else { panic!() };
        assert!(message.contains("could not be read"), "{message}");
    }
}
