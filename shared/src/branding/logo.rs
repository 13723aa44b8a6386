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
/// Larger sources are refused before decoding (a small file can claim a huge canvas).
const MAX_SOURCE_SIDE: u32 = 8000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

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
}
