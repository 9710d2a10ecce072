//! A mailing's Markdown as supporters read it: HTML through pulldown-cmark, then cleaned by
//! ammonia (organizers are trusted, their browsers and clipboards less so: no script, no
//! style, no tracking pixel's `onload` reaches a supporter's mail client), and a plain-text
//! twin for clients that show no HTML. `{name}` survives both untouched, to be filled in
//! per supporter by `personalise`.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

use super::draft::NAME_PLACEHOLDER;

fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES)
}

/// Sanitised HTML. Links open outside the mail client and send no referrer.
pub fn to_html(markdown: &str) -> String {
    let mut raw = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut raw, parser(markdown));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&raw).to_string()
}

/// Plain text: paragraphs apart, list items with a dash, a link's address after its words.
pub fn to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut links: Vec<String> = Vec::new();
    for event in parser(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.into_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::BlockQuote(_),
            ) => out.push_str("\n\n"),
            Event::End(TagEnd::Item | TagEnd::TableRow | TagEnd::TableHead | TagEnd::List(_)) => {
                out.push('\n')
            }
            Event::End(TagEnd::TableCell) => out.push('\t'),
            Event::Rule => out.push_str("----\n\n"),
            _ => {}
        }
    }
    // An item's paragraph ends in a blank line already, and so may a list's last item.
    while out.contains("\n\n\n") {
        out = out.replace("\n\n\n", "\n\n");
    }
    out.trim_end().to_owned()
}

/// Fills in the supporter's given name: the first word of the name they signed with.
/// `escape` is applied to the name (HTML-escaping for the HTML part), never to the text.
pub fn personalise(words: &str, full_name: &str, escape: impl Fn(&str) -> String) -> String {
    let given = full_name.split_whitespace().next().unwrap_or_default();
    words.replace(NAME_PLACEHOLDER, &escape(given))
}

/// `<`, `>`, `&` and quotes as entities, for a name placed into HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_clean_html_keeping_the_placeholder() {
        let html = to_html(
            "Dear {name},\n\n**Monday** at [the court](https://court.example).\n\n<script>alert(1)</script><img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<p>Dear {name},</p>"), "{html}");
        assert!(html.contains("<strong>Monday</strong>"), "{html}");
        assert!(html.contains("href=\"https://court.example\""), "{html}");
        assert!(!html.contains("script") && !html.contains("onerror"), "{html}");
    }

    #[test]
    fn markdown_becomes_readable_text() {
        let text =
            to_text("# News\n\nDear {name},\n\n- one\n- two\n\nSee [the court](https://court.example).");
        assert_eq!(text, "News\n\nDear {name},\n\n- one\n- two\n\nSee the court (https://court.example).");
    }

    #[test]
    fn the_name_is_the_given_name_and_escaped_in_html() {
        assert_eq!(personalise("Dear {name},", "Mina Ahmadi", str::to_owned), "Dear Mina,");
        assert_eq!(personalise("<p>{name}</p>", "<b>Bo", escape_html), "<p>&lt;b&gt;Bo</p>");
    }
}
