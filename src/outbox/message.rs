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
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(email.text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .header(ContentTransferEncoding::QuotedPrintable)
                        .body(email.html),
                ),
        )?;
    Ok(message.formatted())
}
