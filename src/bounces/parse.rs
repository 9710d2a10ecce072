//! Reading a message from the bounce mailbox: which of our messages it is about (its VERP
//! address, `verp.rs`), whether it is a bounce at all, hard or soft, and the server's
//! reason. Delivery status notifications (RFC 3464, `multipart/report` with a
//! `message/delivery-status` part) say so in their fields; other bounces only in their
//! text, where an SMTP reply such as `550 5.1.1` is looked for.

use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::verp::ReturnPaths;

/// How a bounce counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The address takes no mail (`5.x.x`): suppressed at once.
    Hard,
    /// Delivery failed for now (`4.x.x`: a full mailbox, a server away): counted.
    Soft,
}

/// What a message from the bounce mailbox says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Names this message, so reading it again is known: a SHA-256 of its Message-ID, or
    /// of the whole message when it has none.
    pub source_key: String,
    /// The row of the message that bounced, when its return path is one of ours.
    pub outbox_id: Option<Uuid>,
    /// `None`: not a bounce (a delivery or relay notice, an auto-reply, spam).
    pub severity: Option<Severity>,
    /// The server's words, addresses masked.
    pub reason: String,
}

/// The most of a reason kept.
const REASON_MAX: usize = 300;

/// Reads one raw message.
pub fn read(raw: &[u8], paths: &ReturnPaths) -> Report {
    let parsed = MessageParser::default().parse(raw);
    let source_key = match parsed.as_ref().and_then(|m| m.message_id()) {
        Some(id) => hex::encode(Sha256::digest(format!("message-id:{id}"))),
        None => hex::encode(Sha256::digest(raw)),
    };
    let Some(message) = parsed else {
        return Report { source_key, outbox_id: None, severity: None, reason: String::new() };
    };
    // Where a bounce is addressed says best which message it is about; a returned copy of
    // the message (its Return-Path) comes next.
    let addressed = ["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"]
        .iter()
        .flat_map(|name| message.header_values(*name))
        .filter_map(|value| value.as_text().map(str::to_owned).or_else(|| address_text(value)))
        .find_map(|text| paths.find_in(&text));
    let outbox_id = addressed.or_else(|| paths.find_in(&String::from_utf8_lossy(raw)));

    let dsn = message
        .parts
        .iter()
        .filter(|part| {
            part.content_type().is_some_and(|t| {
                t.ctype().eq_ignore_ascii_case("message")
                    && t.subtype().is_some_and(|s| s.eq_ignore_ascii_case("delivery-status"))
            })
        })
        .find_map(|part| delivery_status(&String::from_utf8_lossy(part.contents())));
    let (severity, reason) = match dsn {
        Some(found) => found,
        None => {
            let texts = (0..message.text_body_count()).filter_map(|i| message.body_text(i));
            let subject = message.subject().map(str::to_owned);
            match texts.map(|t| t.into_owned()).chain(subject).find_map(|t| smtp_reply(&t)) {
                Some((severity, line)) => (Some(severity), line),
                None => (None, String::new()),
            }
        }
    };
    Report { source_key, outbox_id, severity, reason: mask(&reason) }
}

fn address_text(value: &mail_parser::HeaderValue<'_>) -> Option<String> {
    let address = value.as_address()?;
    Some(address.iter().filter_map(|a| a.address()).collect::<Vec<_>>().join(" "))
}

/// The outcome a `message/delivery-status` part reports: from its per-recipient fields,
/// the worst of them; `None` when it reports no failure or delay.
fn delivery_status(text: &str) -> Option<(Option<Severity>, String)> {
    let mut worst: Option<(Severity, String)> = None;
    let mut saw_fields = false;
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let fields = unfold(block);
        let field = |name: &str| {
            fields.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
        };
        let Some(action) = field("Action") else { continue };
        saw_fields = true;
        let status = field("Status").unwrap_or_default();
        let severity = match (status.chars().next(), action.to_ascii_lowercase().as_str()) {
            (Some('5'), _) => Some(Severity::Hard),
            (Some('4'), _) => Some(Severity::Soft),
            (_, "failed") => Some(Severity::Hard),
            (_, "delayed") => Some(Severity::Soft),
            _ => None,
        };
        let Some(severity) = severity else { continue };
        let reason = match field("Diagnostic-Code") {
            // "smtp; 550 5.1.1 ...": the type before the semicolon says nothing to people.
            Some(code) => code.split_once(';').map_or(code.clone(), |(_, rest)| rest.trim().to_owned()),
            None => format!("{action} ({status})"),
        };
        if worst.as_ref().is_none_or(|(w, _)| *w == Severity::Soft && severity == Severity::Hard) {
            worst = Some((severity, reason));
        }
    }
    match worst {
        Some((severity, reason)) => Some((Some(severity), reason)),
        None if saw_fields => Some((None, String::new())),
        None => None,
    }
}

/// A block's fields, continuation lines joined.
fn unfold(block: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    fields
}

/// The first line of `text` holding an SMTP reply with an enhanced status code, such as
/// `550 5.1.1` or `452-4.2.2`, and the severity its class says.
fn smtp_reply(text: &str) -> Option<(Severity, String)> {
    text.lines().find_map(|line| {
        let bytes = line.as_bytes();
        (0..bytes.len()).find_map(|i| {
            let severity = reply_at(bytes, i)?;
            Some((severity, line.trim().to_owned()))
        })
    })
}

/// Whether `ddd[ -]d.d{1,3}.d{1,3}` starts at `i` (not inside a longer number), with the
/// reply's and the status's class agreeing.
fn reply_at(b: &[u8], i: usize) -> Option<Severity> {
    if i > 0 && b[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let code = b.get(i..i + 3)?;
    if !code.iter().all(u8::is_ascii_digit) || !matches!(b.get(i + 3)?, b' ' | b'-') {
        return None;
    }
    let class = code[0];
    if b.get(i + 4)? != &class || b.get(i + 5)? != &b'.' {
        return None;
    }
    let rest = &b[i + 6..];
    let first = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=3).contains(&first) || rest.get(first) != Some(&b'.') {
        return None;
    }
    let second = rest[first + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=3).contains(&second) {
        return None;
    }
    match class {
        b'5' => Some(Severity::Hard),
        b'4' => Some(Severity::Soft),
        _ => None,
    }
}

/// `reason` with every word holding an `@` replaced, so no address is kept, and cut short.
pub fn mask(reason: &str) -> String {
    let masked: Vec<&str> =
        reason.split_whitespace().map(|word| if word.contains('@') { "<address>" } else { word }).collect();
    let mut masked = masked.join(" ");
    if masked.len() > REASON_MAX {
        let mut cut = REASON_MAX;
        while !masked.is_char_boundary(cut) {
            cut -= 1;
        }
        masked.truncate(cut);
        masked.push('…');
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_reply_is_found_in_a_line_of_text() {
        let text = "Sorry.\n\n<x@y.example>: host mx.y.example said: 550 5.1.1 User unknown\n";
        let (severity, line) = smtp_reply(text).unwrap();
        assert_eq!(severity, Severity::Hard);
        assert!(line.contains("550 5.1.1"));
        assert_eq!(smtp_reply("452-4.2.2 Mailbox full").unwrap().0, Severity::Soft);
        assert_eq!(smtp_reply("version 1550 5.1.1"), None, "inside a longer number");
        assert_eq!(smtp_reply("550 4.1.1 mixed classes"), None);
        assert_eq!(smtp_reply("Meeting at 250 5.5.55555"), None);
        assert_eq!(smtp_reply("No reply here, 5.1.1 alone"), None);
        assert_eq!(smtp_reply("550 5."), None);
    }

    #[test]
    fn the_worst_recipient_of_a_delivery_status_counts() {
        let dsn = "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; a@x.example\r\nAction: delayed\r\nStatus: 4.2.2\r\n\r\nFinal-Recipient: rfc822; b@x.example\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1\r\n  <b@x.example> unknown\r\n";
        let (severity, reason) = delivery_status(dsn).unwrap();
        assert_eq!(severity, Some(Severity::Hard));
        assert_eq!(mask(&reason), "550 5.1.1 <address> unknown");
        let relayed = "Final-Recipient: rfc822; a@x.example\nAction: relayed\nStatus: 2.0.0\n";
        assert_eq!(delivery_status(relayed), Some((None, String::new())));
        assert_eq!(delivery_status("nothing: here"), None);
    }

    #[test]
    fn a_long_reason_is_cut_on_a_character() {
        let long = "é".repeat(400);
        let masked = mask(&long);
        assert!(masked.len() <= REASON_MAX + '…'.len_utf8());
    }
}
