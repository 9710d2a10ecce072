//! The one place request bodies are read: in front of every route, before any guard,
//! extractor or handler, at most `MAX_BODY` bytes, within `BODY_DEADLINE`, and never
//! compressed. Handlers take what was read with the `Body` extractor.
//!
//! Why in front of the router rather than in each handler: actix's own `Form`, `Json` and
//! `Bytes` extractors decompress a `Content-Encoding: gzip` body a whole network chunk at a
//! time before they compare its size with their limit, so 16 parallel 194 KB gzip bodies
//! to the sign-in form took the server from 158 MB to over 1 GB though each got `413`.
//! No browser compresses a form, so a compressed body is refused (`415`) unread; and a
//! route added later, whatever it extracts, sits behind the same gate.
//!
//! The deadline covers the whole body from the moment its headers arrived: a client
//! sending a byte every few seconds otherwise holds a connection and a task for ever.
//! It gets `408` and the connection is closed.

use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::errors::message;
use super::pages::pick_lang;
use super::protected::{Guard, guard_for};
use crate::domain::Lang;

/// The largest body any route accepts: a sign form with a full comment is about 5 KiB.
pub const MAX_BODY: usize = 16 * 1024;
/// The one exception: an organizer's news mailing, up to `mailings::MAX_BYTES` (100 KiB)
/// of words, which form encoding can triple (Dari and Pashto are all `%XX`).
pub const MAX_MAILING_BODY: usize = 3 * crate::mailings::MAX_BYTES + 16 * 1024;
/// The other exception: an organizer's upload of a target's reply, whose original may be up
/// to `replies::MAX_ORIGINAL_BYTES` (5 MiB), plus room for the summaries and the multipart
/// framing. Only `POST /admin/c/{slug}/replies`; read before the session guard like the
/// mailing form, so a stranger may send that much there too: once, within the deadline.
pub const MAX_REPLY_BODY: usize = crate::replies::MAX_ORIGINAL_BYTES + 64 * 1024;
/// How long a whole body may take to arrive after its headers.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// The gate's limits: always the defaults; unit tests use smaller ones.
#[derive(Clone, Copy, Debug)]
struct BodyLimits {
    max: usize,
    deadline: Duration,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits { max: MAX_BODY, deadline: BODY_DEADLINE }
    }
}

impl BodyLimits {
    /// The defaults, but `MAX_MAILING_BODY` for the form that writes a mailing and
    /// `MAX_REPLY_BODY` for the one that uploads a reply. Read
    /// before the session guard, so a stranger may send that much there too: once.
    fn for_request(req: &ServiceRequest) -> BodyLimits {
        let mut segments = req.path().split('/');
        let form = (req.method() == actix_web::http::Method::POST)
            .then(|| {
                match (
                    segments.next(),
                    segments.next(),
                    segments.next(),
                    segments.next(),
                    segments.next(),
                    segments.next(),
                ) {
                    (Some(""), Some("admin"), Some("c"), Some(_), Some(form), None) => Some(form),
                    _ => None,
                }
            })
            .flatten();
        let max = match form {
            Some("mailings") => MAX_MAILING_BODY,
            Some("replies") => MAX_REPLY_BODY,
            _ => MAX_BODY,
        };
        BodyLimits { max, ..BodyLimits::default() }
    }
}

/// The request's body, as the gate read it.
#[derive(Clone, Debug)]
pub struct Body(pub Bytes);

impl std::ops::Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl FromRequest for Body {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Body, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<Body>()
                .cloned()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("the body gate is not installed")),
        )
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    Compressed,
    TooLarge,
    TooSlow,
    Incomplete,
}

/// The gate (see the module comment). The body is also put back as the request's payload,
/// read and bounded, for any extractor a handler might use.
pub async fn read_first(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut payload = req.take_payload();
    let limits = BodyLimits::for_request(&req);
    match read(req.headers(), &mut payload, limits).await {
        Ok(body) => {
            req.extensions_mut().insert(Body(body.clone()));
            req.set_payload(Payload::from(body));
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(refusal) => {
            let response = refusal_response(req.request(), &refusal);
            let response =
                req.into_response(response).map_body(|_, body| RefusalBody { body, _unread: payload });
            Ok(response.map_into_right_body())
        }
    }
}

/// A refusal's body, holding the request's unread payload until it has been sent: while
/// the payload is alive, actix closes the connection after the answer; once dropped, it
/// would go on reading (draining) a chunked body for as long as the client trickles it.
struct RefusalBody {
    body: actix_web::body::BoxBody,
    _unread: Payload,
}

impl MessageBody for RefusalBody {
    type Error = <actix_web::body::BoxBody as MessageBody>::Error;

    fn size(&self) -> actix_web::body::BodySize {
        self.body.size()
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, Self::Error>>> {
        std::pin::Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

async fn read(headers: &HeaderMap, payload: &mut Payload, limits: BodyLimits) -> Result<Bytes, Refusal> {
    let compressed = headers
        .get_all(header::CONTENT_ENCODING)
        .any(|v| !v.to_str().is_ok_and(|v| v.trim().eq_ignore_ascii_case("identity")));
    if compressed {
        return Err(Refusal::Compressed);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits.max) {
        return Err(Refusal::TooLarge);
    }
    let deadline = tokio::time::Instant::now() + limits.deadline;
    let mut body = BytesMut::with_capacity(declared.unwrap_or(0));
    loop {
        match tokio::time::timeout_at(deadline, payload.next()).await {
            Err(_) => return Err(Refusal::TooSlow),
            Ok(None) => return Ok(body.freeze()),
            Ok(Some(Err(_))) => return Err(Refusal::Incomplete),
            Ok(Some(Ok(chunk))) => {
                if body.len() + chunk.len() > limits.max {
                    return Err(Refusal::TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
}

fn refusal_response(req: &HttpRequest, refusal: &Refusal) -> HttpResponse {
    let (status, key, words) = match refusal {
        Refusal::Compressed => {
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "compressed", "send the body without Content-Encoding")
        }
        Refusal::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "the body is larger than 16 KiB"),
        Refusal::TooSlow => {
            (StatusCode::REQUEST_TIMEOUT, "too-slow", "the body did not arrive within 10 seconds")
        }
        Refusal::Incomplete => (StatusCode::BAD_REQUEST, "incomplete", "the body arrived incomplete"),
    };
    let mut response = match guard_for(req.path()) {
        Some(Guard::Token) => HttpResponse::build(status).json(serde_json::json!({ "error": words })),
        _ => message(status, pick_lang(req, Lang::En), key),
    };
    if *refusal == Refusal::Compressed {
        // RFC 7694: the codings the server does accept in requests.
        response.headers_mut().insert(header::ACCEPT_ENCODING, header::HeaderValue::from_static("identity"));
    }
    response.head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    response
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    async fn read_with(headers: &[(&str, &str)], chunks: Vec<&'static [u8]>) -> Result<Bytes, Refusal> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(name.parse().unwrap(), HeaderValue::from_str(value).unwrap());
        }
        use actix_web::error::PayloadError;
        let chunks = chunks.into_iter().map(|c| Ok(Bytes::from_static(c)));
        let stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(futures_util::stream::iter(chunks));
        let mut payload = Payload::Stream { payload: stream };
        read(&map, &mut payload, BodyLimits { max: 8, deadline: Duration::from_secs(1) }).await
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_read_whole() {
        assert_eq!(read_with(&[], vec![b"a=1", b"&b=2"]).await.unwrap(), "a=1&b=2");
        assert_eq!(read_with(&[("content-encoding", "identity")], vec![b"a"]).await.unwrap(), "a");
    }

    #[tokio::test]
    async fn any_content_coding_is_refused_before_reading() {
        for coding in ["gzip", "deflate", "br", "zstd", "x-gzip", "identity, gzip", "GZIP", ""] {
            let result = read_with(&[("content-encoding", coding)], vec![b"a"]).await;
            assert_eq!(result, Err(Refusal::Compressed), "{coding:?}");
        }
    }

    #[tokio::test]
    async fn a_body_still_arriving_at_the_deadline_is_too_slow() {
        let stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = _>>> = Box::pin(
            futures_util::stream::iter([Ok(Bytes::from_static(b"a"))]).chain(futures_util::stream::pending()),
        );
        let mut payload = Payload::Stream { payload: stream };
        let limits = BodyLimits { max: 8, deadline: Duration::from_millis(50) };
        assert_eq!(read(&HeaderMap::new(), &mut payload, limits).await, Err(Refusal::TooSlow));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_declared_or_not() {
        assert_eq!(read_with(&[("content-length", "9")], vec![]).await, Err(Refusal::TooLarge));
        assert_eq!(read_with(&[], vec![b"12345", b"6789"]).await, Err(Refusal::TooLarge));
    }
}
