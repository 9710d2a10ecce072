//! Turning a subject, a text and an HTML body (and any attachments) into a well-formed
//! RFC 5322 message, DKIM-signed when a key is configured. Every message rallypost sends
//! is built here.

use lettre::Message;
use lettre::message::dkim::DkimConfig;
use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// A message to one recipient, in the two forms every mail client can show.
pub struct Email {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
}

/// A file sent along, such as a digest's list of signers.
pub struct Attachment {
    pub filename: String,
    /// A MIME type with its parameters, e.g. `text/csv; charset=utf-8`.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Formats `email` from `from`, with a `Message-ID` made from `id` so each outbox row keeps
/// the same id through retries, and signs it with `dkim` if given.
pub fn build_message(
    from: &Mailbox,
    id: uuid::Uuid,
    email: Email,
    dkim: Option<&DkimConfig>,
) -> anyhow::Result<Vec<u8>> {
    build_message_with_headers(from, None, id, email, &[], dkim)
}

/// `build_message` with a `Reply-To` and more header fields, such as a mailing's
/// `List-Unsubscribe`. A field that `dkim` should cover must be among the headers its
/// config names.
pub fn build_message_with_headers(
    from: &Mailbox,
    reply_to: Option<&Mailbox>,
    id: uuid::Uuid,
    email: Email,
    headers: &[(&'static str, String)],
    dkim: Option<&DkimConfig>,
) -> anyhow::Result<Vec<u8>> {
    let domain = from.email.domain();
    let alternative = text_and_html(email.text, email.html);
    let body = if email.attachments.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for attachment in email.attachments {
            let content_type = ContentType::parse(attachment.content_type)?;
            mixed = mixed.singlepart(
                lettre::message::Attachment::new(attachment.filename).body(attachment.bytes, content_type),
            );
        }
        mixed
    };
    let mut builder = Message::builder()
        .from(from.clone())
        .to(email.to)
        .subject(email.subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .date_now();
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    for (name, value) in headers {
        anyhow::ensure!(!value.contains(['\r', '\n']), "a line break in the {name} header");
        builder = builder.raw_header(HeaderValue::new(HeaderName::new_from_ascii_str(name), value.clone()));
    }
    let mut message = builder.multipart(body)?;
    if let Some(dkim) = dkim {
        message.sign(dkim);
    }
    Ok(message.formatted())
}

/// The same words as plain text and as HTML, for every mail client.
fn text_and_html(text: String, html: String) -> MultiPart {
    let part = |content_type, body| {
        SinglePart::builder().header(content_type).header(ContentTransferEncoding::QuotedPrintable).body(body)
    };
    MultiPart::alternative()
        .singlepart(part(ContentType::TEXT_PLAIN, text))
        .singlepart(part(ContentType::TEXT_HTML, html))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;

    fn email(attachments: Vec<Attachment>) -> Email {
        Email {
            to: "Office <office@ministry.example>".parse().unwrap(),
            subject: "Appeal".into(),
            text: "Dear Sir or Madam,".into(),
            html: "<p>Dear Sir or Madam,</p>".into(),
            attachments,
        }
    }

    fn from() -> Mailbox {
        "Campaign <campaign@rallypost.example>".parse().unwrap()
    }

    #[test]
    fn a_message_is_from_the_sender_with_a_stable_message_id_and_both_forms() {
        let id = uuid::Uuid::now_v7();
        let text = String::from_utf8(build_message(&from(), id, email(vec![]), None).unwrap()).unwrap();
        assert!(text.contains("From: Campaign <campaign@rallypost.example>"));
        assert!(text.contains("To: Office <office@ministry.example>"));
        assert!(text.contains(&format!("Message-ID: <{id}@rallypost.example>")));
        assert!(text.contains("Date: "));
        assert!(text.contains("multipart/alternative") && !text.contains("multipart/mixed"));
        assert!(text.contains("text/plain") && text.contains("text/html"));
        assert!(!text.contains("DKIM-Signature"), "signed only when a key is given");
    }

    #[test]
    fn an_attachment_goes_beside_the_two_forms_with_its_name_and_type() {
        let csv = Attachment {
            filename: "signers.csv".into(),
            content_type: "text/csv; charset=utf-8",
            bytes: b"name,country\r\nMina,Afghanistan\r\n".to_vec(),
        };
        let raw = build_message(&from(), uuid::Uuid::now_v7(), email(vec![csv]), None).unwrap();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let attachment = parsed.attachments().next().expect("one attachment");
        assert_eq!(attachment.attachment_name(), Some("signers.csv"));
        assert_eq!(attachment.contents(), b"name,country\r\nMina,Afghanistan\r\n");
        assert_eq!(parsed.body_text(0).as_deref(), Some("Dear Sir or Madam,"));
    }
}
