//! Turning a subject, a text and an HTML body into a well-formed RFC 5322 message.

use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// A message to one recipient, in the two forms every mail client can show.
pub struct Email {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Formats `email` from `from`, with a `Message-ID` made from `id` so each outbox row keeps
/// the same id through retries.
pub fn build_message(from: &Mailbox, id: uuid::Uuid, email: Email) -> anyhow::Result<Vec<u8>> {
    let domain = from.email.domain();
    let message = Message::builder()
        .from(from.clone())
        .to(email.to)
        .subject(email.subject)
        .message_id(Some(format!("<{id}@{domain}>")))
        .date_now()
        .multipart(text_and_html(email.text, email.html))?;
    Ok(message.formatted())
}

/// The same words as plain text and as HTML, for every mail client; used by supporter
/// mail and letters alike.
pub fn text_and_html(text: String, html: String) -> MultiPart {
    let part = |content_type, body| {
        SinglePart::builder().header(content_type).header(ContentTransferEncoding::QuotedPrintable).body(body)
    };
    MultiPart::alternative()
        .singlepart(part(ContentType::TEXT_PLAIN, text))
        .singlepart(part(ContentType::TEXT_HTML, html))
}
