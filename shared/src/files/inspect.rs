//! What a quarantined upload must pass before anyone sees it: its first bytes must agree with
//! the type the uploader declared (magic numbers, via `infer`), and whatever its name or
//! declared type, executables, scripts and HTML are refused. Pure: the tests feed it bytes.

use infer::MatcherType;

/// How many leading bytes the check reads (enough for every magic number `infer` knows and
/// for the OOXML/ODF markers inside a ZIP's first entry).
pub const SNIFF_BYTES: u64 = 8192;

/// File types anyone may upload, by what the bytes say (or, for text, what was declared).
pub const ALLOWED_CONTENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/vnd.adobe.photoshop",
    "image/svg+xml",
    "font/ttf",
    "font/otf",
    "font/woff",
    "font/woff2",
    "text/plain",
    "text/csv",
    "text/markdown",
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "audio/mpeg",
    "audio/x-wav",
];

/// Types that have no magic number: the declared type stands if the bytes are text.
const TEXT_TYPES: &[&str] = &["text/plain", "text/csv", "text/markdown", "image/svg+xml"];

/// Types a browser can show in the page: images it renders without running anything, PDFs.
const PREVIEWABLE: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"];

/// Names that say "run me", refused whatever the bytes look like.
const REFUSED_EXTENSIONS: &[&str] = &[
    "exe", "dll", "msi", "com", "scr", "bat", "cmd", "ps1", "vbs", "vbe", "wsf", "js", "mjs", "cjs", "jar", "sh",
    "bash", "zsh", "php", "py", "pl", "rb", "app", "apk", "deb", "rpm", "dmg", "html", "htm", "xhtml", "shtml", "hta",
    "lnk", "reg", "elf", "bin", "so", "dylib",
];

/// Why a file was refused, in words for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0} files cannot be uploaded: programs, scripts and web pages are refused.")]
    Executable(String),
    #[error(
        "Files of type {0} cannot be uploaded. Allowed: PDF, Office and OpenDocument, images, fonts, text, CSV, ZIP, video and audio."
    )]
    TypeNotAllowed(String),
    #[error(
        "The file's content is {found}, not {declared} as its type says. Export it again, or choose the right file."
    )]
    Mismatch { declared: String, found: String },
    #[error("The file is {actual} bytes, not the {declared} bytes announced. Upload it again.")]
    SizeMismatch { declared: u64, actual: u64 },
    #[error("The malware scan found a threat in this file. It was deleted.")]
    Threat,
    #[error("This SVG drawing cannot be uploaded: {0}. Export it again without scripts, or send it as PNG or PDF.")]
    UnsafeDrawing(String),
    #[error("SVG drawings can be at most 5 MB (each is checked whole). Send a larger one as PDF or inside a ZIP.")]
    DrawingTooLarge,
}

/// Lower-cases a declared type, drops parameters, and maps the names browsers use for the
/// same thing onto one.
pub fn normalise_type(raw: &str) -> String {
    let essence = raw.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/x-zip-compressed" | "application/x-zip" => "application/zip".into(),
        "image/jpg" | "image/pjpeg" => "image/jpeg".into(),
        "application/font-woff" => "font/woff".into(),
        "application/font-sfnt" | "application/x-font-ttf" => "font/ttf".into(),
        "audio/wav" | "audio/wave" => "audio/x-wav".into(),
        "" | "binary/octet-stream" => "application/octet-stream".into(),
        _ => essence,
    }
}

/// Whether a declared type may be uploaded at all (checked when an upload starts; an unknown
/// type may still be declared as `application/octet-stream` and named by its bytes later).
pub fn declarable(content_type: &str) -> Result<(), Refusal> {
    let content_type = normalise_type(content_type);
    if content_type == "application/octet-stream" || ALLOWED_CONTENT_TYPES.contains(&content_type.as_str()) {
        Ok(())
    } else if is_refused_type(&content_type) {
        Err(Refusal::Executable(content_type))
    } else {
        Err(Refusal::TypeNotAllowed(content_type))
    }
}

fn is_refused_type(content_type: &str) -> bool {
    content_type.contains("html")
        || content_type.contains("javascript")
        || content_type.contains("ecmascript")
        || content_type.contains("executable")
        || content_type.contains("x-msdownload")
        || content_type.contains("x-sh")
        || content_type.contains("php")
}

/// The extension of a display name, lower-cased.
fn extension(filename: &str) -> Option<String> {
    let (_, ext) = filename.rsplit_once('.')?;
    Some(ext.trim().to_ascii_lowercase())
}

/// Whether the name alone is reason to refuse (checked when an upload starts, and again at the end).
pub fn refused_name(filename: &str) -> Option<Refusal> {
    let ext = extension(filename)?;
    REFUSED_EXTENSIONS.contains(&ext.as_str()).then(|| Refusal::Executable(format!(".{ext}")))
}

/// Judges a file by its name, declared type and first bytes; on success, the type to store it
/// under (the declared one, or what the bytes are when the uploader did not know).
pub fn judge(filename: &str, declared: &str, head: &[u8]) -> Result<String, Refusal> {
    if let Some(refusal) = refused_name(filename) {
        return Err(refusal);
    }
    let declared = normalise_type(declared);
    declarable(&declared)?;
    let found = infer::get(head);
    if let Some(kind) = found {
        let refused = matches!(kind.matcher_type(), MatcherType::App)
            || matches!(kind.mime_type(), "text/html" | "text/x-shellscript" | "application/x-ole-storage");
        if refused {
            return Err(Refusal::Executable(describe(kind.mime_type()).into()));
        }
    }
    if looks_like_markup_that_runs(head) {
        return Err(Refusal::Executable("HTML".into()));
    }
    let found_type = found.map(|kind| normalise_type(kind.mime_type()));
    if declared == "application/octet-stream" {
        // The uploader's browser did not know: the bytes name it, and it must be one we take.
        let Some(found_type) = found_type else {
            return Err(Refusal::TypeNotAllowed("unknown (no recognisable content)".into()));
        };
        return ALLOWED_CONTENT_TYPES
            .contains(&found_type.as_str())
            .then_some(found_type.clone())
            .ok_or(Refusal::TypeNotAllowed(found_type));
    }
    if TEXT_TYPES.contains(&declared.as_str()) {
        // Text has no magic number; it must not be binary in disguise.
        let binary = found_type.as_deref().is_some_and(|t| t != "text/xml") || head.contains(&0);
        if binary {
            return Err(Refusal::Mismatch { declared, found: describe_found(found_type.as_deref()) });
        }
        if declared == "image/svg+xml" && !contains_ignore_case(head, b"<svg") {
            return Err(Refusal::Mismatch { declared, found: "not an SVG drawing".into() });
        }
        return Ok(declared);
    }
    match found_type {
        Some(found) if compatible(&declared, &found) => Ok(declared),
        found => Err(Refusal::Mismatch { declared, found: describe_found(found.as_deref()) }),
    }
}

/// Same type, or a ZIP-based document where either side says only "ZIP".
fn compatible(declared: &str, found: &str) -> bool {
    let zip_based = |t: &str| t == "application/zip" || t.contains("openxmlformats") || t.contains("opendocument");
    declared == found || (zip_based(declared) && zip_based(found))
}

fn describe_found(found: Option<&str>) -> String {
    found.map_or_else(|| "not recognisable".to_owned(), |t| describe(t).to_owned())
}

fn describe(mime: &str) -> &str {
    match mime {
        "application/pdf" => "a PDF",
        "image/png" => "a PNG image",
        "image/jpeg" => "a JPEG image",
        "application/x-executable" => "a Linux program (ELF)",
        "application/vnd.microsoft.portable-executable" => "a Windows program (.exe)",
        "application/x-mach-binary" => "a macOS program",
        "text/html" => "HTML",
        "text/x-shellscript" => "a script",
        other => other,
    }
}

/// HTML anywhere in the first bytes (after a BOM, a comment, an XML prolog: `infer` looks only
/// at the first tag), or an SVG that carries script (tags, `javascript:` links, `on…=` handlers).
fn looks_like_markup_that_runs(head: &[u8]) -> bool {
    if contains_ignore_case(head, b"<svg") {
        const SCRIPT: &[&[u8]] = &[b"<script", b"javascript:", b"<iframe", b"<foreignobject"];
        return SCRIPT.iter().any(|marker| contains_ignore_case(head, marker)) || has_event_handler(head);
    }
    const HTML: &[&[u8]] =
        &[b"<!doctype html", b"<html", b"<script", b"<iframe", b"<body", b"<head", b"http://www.w3.org/1999/xhtml"];
    HTML.iter().any(|marker| contains_ignore_case(head, marker))
}

/// An attribute such as ` onload=` (whitespace, `on`, letters, `=`).
fn has_event_handler(head: &[u8]) -> bool {
    head.windows(3).enumerate().any(|(at, w)| {
        w[0].is_ascii_whitespace() && w[1..].eq_ignore_ascii_case(b"on") && {
            let rest = &head[at + 3..];
            let letters = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            letters > 0 && rest.get(letters) == Some(&b'=')
        }
    })
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle))
}

/// Whether a stored file may be shown in the page (an inline link) rather than only downloaded.
pub fn previewable(content_type: &str) -> bool {
    PREVIEWABLE.contains(&content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n";
    /// The first 64 bytes of an x86-64 ELF header.
    const ELF: &[u8] = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01\0\0\0\x40\x10\x40\0\0\0\0\0\x40\0\0\0\0\0\0\0\xd8\x3a\0\0\0\0\0\0\0\0\0\0\x40\08\0\x0d\0\x40\0\x1f\0\x1e\0";
    const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";

    #[test]
    fn a_file_whose_bytes_agree_passes() {
        assert_eq!(judge("logo.png", "image/png", PNG).unwrap(), "image/png");
        assert_eq!(judge("brief.pdf", "application/pdf; charset=binary", PDF).unwrap(), "application/pdf");
        assert_eq!(judge("notes.txt", "text/plain", b"Fonts: Inter, 400 and 700\n").unwrap(), "text/plain");
        assert_eq!(
            judge("mark.svg", "image/svg+xml", b"<?xml version=\"1.0\"?><svg xmlns=\"x\"/>").unwrap(),
            "image/svg+xml"
        );
    }

    #[test]
    fn a_png_declared_as_a_pdf_is_refused() {
        let refusal = judge("brief.pdf", "application/pdf", PNG).unwrap_err();
        assert_eq!(refusal, Refusal::Mismatch { declared: "application/pdf".into(), found: "a PNG image".into() });
        assert!(refusal.to_string().contains("not application/pdf"), "{refusal}");
    }

    #[test]
    fn programs_scripts_and_html_are_refused_whatever_their_name() {
        for (name, declared, bytes) in [
            ("report.pdf", "application/pdf", ELF),
            ("photo.png", "image/png", EXE),
            ("data.csv", "text/csv", ELF),
            ("readme.txt", "text/plain", b"#!/bin/sh\nrm -rf ~\n" as &[u8]),
            ("page.txt", "text/plain", b"<!DOCTYPE html><html><script>alert(1)</script>"),
            ("invite.txt", "text/plain", b"\xef\xbb\xbf  <html><body>hi</body></html>"),
            ("mark.svg", "image/svg+xml", b"<svg xmlns=\"x\"><script>alert(1)</script></svg>"),
            ("dot.svg", "image/svg+xml", b"<svg xmlns=\"x\" onload=\"alert(1)\"/>"),
            ("anything", "application/octet-stream", EXE),
        ] {
            assert!(matches!(judge(name, declared, bytes), Err(Refusal::Executable(_))), "{name} ({declared}) passed");
        }
        for name in ["setup.exe", "run.SH", "index.html", "tool.js"] {
            assert!(matches!(judge(name, "text/plain", b"hello"), Err(Refusal::Executable(_))), "{name} passed");
        }
        assert!(matches!(declarable("text/html"), Err(Refusal::Executable(_))));
        assert!(matches!(declarable("application/x-msdownload"), Err(Refusal::Executable(_))));
    }

    #[test]
    fn text_must_be_text() {
        assert!(matches!(judge("a.csv", "text/csv", PDF), Err(Refusal::Mismatch { .. })));
        assert!(matches!(judge("a.txt", "text/plain", b"ab\0cd"), Err(Refusal::Mismatch { .. })));
        assert!(matches!(judge("a.svg", "image/svg+xml", b"just text"), Err(Refusal::Mismatch { .. })));
    }

    #[test]
    fn an_unknown_declared_type_is_named_by_the_bytes() {
        assert_eq!(judge("logo", "application/octet-stream", PNG).unwrap(), "image/png");
        assert_eq!(judge("logo", "", PDF).unwrap(), "application/pdf");
        assert!(matches!(judge("blob", "", b"plain words"), Err(Refusal::TypeNotAllowed(_))));
        assert!(matches!(declarable("application/x-unknown"), Err(Refusal::TypeNotAllowed(_))));
        assert_eq!(normalise_type("Application/X-Zip-Compressed"), "application/zip");
    }

    #[test]
    fn zip_documents_may_be_named_either_way() {
        let zip = b"PK\x03\x04\x14\0\0\0\x08\0";
        assert!(judge("a.zip", "application/zip", zip).is_ok());
        assert!(
            judge("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", zip).is_ok()
        );
    }

    #[test]
    fn only_images_and_pdfs_preview() {
        assert!(previewable("image/png") && previewable("application/pdf"));
        assert!(!previewable("image/svg+xml") && !previewable("text/plain") && !previewable("video/mp4"));
    }
}
