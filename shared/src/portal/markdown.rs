//! Meeting notes are written in Markdown by the agency and shown to clients as HTML. The HTML is
//! sanitised with an allow list (ammonia): no scripts, no event handlers, no `javascript:`
//! links — whatever the Markdown contains.

use pulldown_cmark::{Options, Parser, html};

pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown() {
        let html = to_safe_html("# Kick-off\n\n- **Scope** agreed\n- [x] budget\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(html.contains("<h1>Kick-off</h1>"), "{html}");
        assert!(html.contains("<strong>Scope</strong>"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn scripts_handlers_and_javascript_links_never_survive() {
        let hostile = "<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n\
                       <img src=x onerror=alert(3)>\n\n<a href=\"JaVaScRiPt:alert(4)\">x</a>\n\n\
                       <iframe src=\"https://evil.example\"></iframe>\n\n[ok](https://agency.example)";
        let html = to_safe_html(hostile);
        let lower = html.to_lowercase();
        for banned in ["<script", "javascript:", "onerror", "<iframe", "alert(1)"] {
            assert!(!lower.contains(banned), "{banned} survived in {html}");
        }
        assert!(html.contains(r#"href="https://agency.example""#), "{html}");
        assert!(html.contains("noopener"));
    }
}
