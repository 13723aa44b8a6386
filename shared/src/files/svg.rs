//! SVG drawings are XML that a browser may run: checked whole, with a real XML parser
//! (`quick-xml`), not by looking for strings in the first bytes. Refused: any `script`,
//! `foreignObject`, `iframe`, `embed`, `object`, `handler` or `listener` element in any
//! namespace; any `on…` attribute however it is spaced or prefixed; a link or style whose value,
//! once entities and escapes are decoded and blanks removed, starts a `javascript:`,
//! `vbscript:` or `data:text/html` URL (or CSS `expression(`); a DOCTYPE that declares entities
//! (expansion bombs, external entities); processing instructions (`xml-stylesheet`); and
//! anything that is not well-formed. Pure: the tests feed it bytes.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// The largest SVG checked (and so accepted): it is read whole.
pub const MAX_SVG_BYTES: u64 = 5 * 1024 * 1024;

/// Elements that run or embed something, by local name (lower-cased).
const ACTIVE_ELEMENTS: &[&str] = &["script", "foreignobject", "iframe", "embed", "object", "handler", "listener"];
/// URL schemes that run code (or a page) where a link or a style can point.
const ACTIVE_URLS: &[&str] = &["javascript:", "vbscript:", "data:text/html", "data:application/xhtml", "expression("];

/// Why a drawing was refused, in words for its uploader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe(pub String);

/// Checks a whole SVG file.
pub fn check(bytes: &[u8]) -> Result<(), Unsafe> {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut buffer = Vec::new();
    let mut in_style = false;
    let mut saw_svg = false;
    loop {
        let event =
            reader.read_event_into(&mut buffer).map_err(|e| Unsafe(format!("it is not well-formed XML ({e})")))?;
        match event {
            Event::Start(tag) => {
                check_element(&tag)?;
                saw_svg |= local(tag.local_name().as_ref().as_bytes()) == "svg";
                in_style = local(tag.local_name().as_ref().as_bytes()) == "style";
            }
            Event::Empty(tag) => {
                check_element(&tag)?;
                saw_svg |= local(tag.local_name().as_ref().as_bytes()) == "svg";
            }
            Event::End(_) => in_style = false,
            Event::Text(text) if in_style => {
                // Entities in a style sheet are decoded before CSS reads it.
                let raw = text.into_inner();
                let decoded = quick_xml::escape::unescape(&raw)
                    .map_err(|e| Unsafe(format!("a style sheet cannot be decoded ({e})")))?;
                check_value("a style sheet", &decoded)?;
            }
            Event::CData(text) if in_style => check_value("a style sheet", &text.into_inner())?,
            Event::DocType(doctype) if declares_entities(&doctype) => {
                return Err(Unsafe("it declares XML entities".into()));
            }
            Event::PI(_) => {
                return Err(Unsafe("it carries a processing instruction (such as a style sheet link)".into()));
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if saw_svg { Ok(()) } else { Err(Unsafe("it has no <svg> element".into())) }
}

fn declares_entities(doctype: &quick_xml::events::BytesText<'_>) -> bool {
    let text: &str = doctype;
    text.to_ascii_lowercase().contains("<!entity")
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).to_ascii_lowercase()
}

fn check_element(tag: &BytesStart<'_>) -> Result<(), Unsafe> {
    let name = local(tag.local_name().as_ref().as_bytes());
    if ACTIVE_ELEMENTS.contains(&name.as_str()) {
        return Err(Unsafe(format!("it contains a <{name}> element")));
    }
    for attribute in tag.attributes() {
        let attribute = attribute.map_err(|e| Unsafe(format!("an attribute is malformed ({e})")))?;
        let key = local(attribute.key.local_name().as_ref().as_bytes());
        if key.starts_with("on") {
            return Err(Unsafe(format!("it has an event handler ({key})")));
        }
        // Entities and character references decoded, as the browser would.
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::default())
            .map_err(|e| Unsafe(format!("an attribute value cannot be decoded ({e})")))?;
        check_value(&format!("its {key} attribute"), &value)?;
    }
    Ok(())
}

/// A value with blanks and control characters removed (browsers skip them inside a scheme:
/// `java\tscript:`), lower-cased, must not hold an active URL anywhere (`url(javascript:…)`).
fn check_value(what: &str, value: &str) -> Result<(), Unsafe> {
    let squeezed: String =
        value.chars().filter(|c| !c.is_whitespace() && !c.is_control()).flat_map(char::to_lowercase).collect();
    // CSS escapes (`\6a avascript:`) are decoded by the browser too: refuse a backslash in a
    // value that could name a scheme.
    if squeezed.contains('\\') && (squeezed.contains("script") || squeezed.contains(':')) {
        return Err(Unsafe(format!("{what} hides a URL behind escapes")));
    }
    match ACTIVE_URLS.iter().find(|active| squeezed.contains(*active)) {
        Some(active) => Err(Unsafe(format!("{what} points to {}", active.trim_end_matches(['(', ':'])))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_drawing_passes() {
        let drawing = br##"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
  <style>.a { fill: url(#g); }</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs>
  <a xlink:href="https://agency.example/"><rect class="a" width="10" height="10"/></a>
  <text>Only ontology</text>
</svg>"##;
        assert_eq!(check(drawing), Ok(()));
    }

    #[test]
    fn script_anywhere_in_any_form_is_refused() {
        let padding = "<g/>".repeat(5000); // past any first-bytes window
        let cases = [
            format!(r#"<svg xmlns="http://www.w3.org/2000/svg">{padding}<script>alert(1)</script></svg>"#),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg" onload ="alert(1)"/>"#.into(),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"\n\tONLOAD\n=\n'alert(1)'/>".into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:x" x:onclick="alert(1)"/>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="&#106;avascript:alert(1)"><rect/></a></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="&#x6A;ava&#x09;script:alert(1)"><rect/></a></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href=" JavaScript:alert(1)"/></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="javascript:alert(1)"/></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><iframe src="x"/></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style>a { background: url(javascript:alert(1)) }</style></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><style><![CDATA[ a { b: url("java\73 cript:x") } ]]></style></svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="data:text/html;base64,PHNjcmlwdD4="/></svg>"#.into(),
            r#"<?xml-stylesheet href="evil.xsl" type="text/xsl"?><svg xmlns="http://www.w3.org/2000/svg"/>"#.into(),
            r#"<!DOCTYPE svg [<!ENTITY lol "lol">]><svg xmlns="http://www.w3.org/2000/svg">&lol;</svg>"#.into(),
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>"#.into(),
            "just text, no drawing".into(),
        ];
        for case in cases {
            assert!(check(case.as_bytes()).is_err(), "not refused: {}", &case[case.len().saturating_sub(120)..]);
        }
    }
}
