//! The original bytes of a document over HTTP: `GET /files/{documentId}`.
//!
//! Hand-written rather than tower-http's `ServeFile`: the store is content-addressed, so the
//! sha256 is a strong `ETag` that needs no file metadata, and the response must carry the
//! document's own name and type, which the blob's path does not know. Only what browsers' PDF
//! viewers and download managers use is implemented: one byte range (`Range`, `If-Range`),
//! conditional requests by `ETag`, and `HEAD` (axum answers it from the GET handler without the
//! body).

use std::io::SeekFrom;
use std::ops::Range;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// How long a signed file link (see [`signed_query`]) stays valid.
pub const LINK_LIFETIME_SECS: i64 = 12 * 3600;

/// What signs file links for one token: its id and the SHA-256 the database keeps of it. Put
/// in a request's GraphQL data when the caller came with a token.
#[derive(Debug, Clone, Copy)]
pub struct LinkKey {
    pub token_id: i64,
    pub key: [u8; 32],
}

impl LinkKey {
    /// From a token's row; `None` when its stored hash is not 64 hex digits.
    pub fn of(row: &planarkiv_schema::entities::api_token::Model) -> Option<Self> {
        let mut key = [0u8; 32];
        for (i, pair) in row.token_hash.as_bytes().chunks(2).enumerate() {
            let hex = std::str::from_utf8(pair).ok()?;
            *key.get_mut(i)? = u8::from_str_radix(hex, 16).ok()?;
        }
        (row.token_hash.len() == 64).then_some(LinkKey {
            token_id: row.id,
            key,
        })
    }
}

/// HMAC-SHA256 (RFC 2104), written out: the one use here does not warrant a dependency.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| block.map(|k| k ^ b);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The signature of a link to document `document_id` valid until `expires` (Unix seconds).
pub fn link_signature(key: &LinkKey, document_id: i64, expires: i64) -> String {
    let mac = hmac_sha256(&key.key, format!("file:{document_id}:{expires}").as_bytes());
    mac.iter().map(|b| format!("{b:02x}")).collect()
}

/// The query string that lets a browser open a file link without sending a header (an
/// `<iframe>`, a link to `#page=7`): the token's id, the expiry and an HMAC keyed with the
/// token's stored hash. Only that token's holder (and the server) can make one; revoking the
/// token ends its links at once, and a leaked link opens one document for at most
/// [`LINK_LIFETIME_SECS`].
pub fn signed_query(key: &LinkKey, document_id: i64, now_secs: i64) -> String {
    // Rounded up to the hour: links made within the hour are equal, so a client's cache and
    // the browser's keep one copy.
    let expires = (now_secs + LINK_LIFETIME_SECS + 3599) / 3600 * 3600;
    format!(
        "t={}&e={expires}&s={}",
        key.token_id,
        link_signature(key, document_id, expires)
    )
}

/// A signed link's parts from a query string (`t`, `e`, `s`); `None` when it has none of them.
pub fn link_params(query: &str) -> Option<Result<(i64, i64, String), ()>> {
    let (mut t, mut e, mut s) = (None, None, None);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("t", v)) => t = Some(v),
            Some(("e", v)) => e = Some(v),
            Some(("s", v)) => s = Some(v),
            _ => {}
        }
    }
    if t.is_none() && e.is_none() && s.is_none() {
        return None;
    }
    let parsed = (|| {
        Some((
            t?.parse().ok()?,
            e?.parse().ok()?,
            s.filter(|s| s.len() == 64)?.to_ascii_lowercase(),
        ))
    })();
    Some(parsed.ok_or(()))
}

/// Compares in time independent of where the strings differ.
pub fn same_signature(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// How much of a file is read per chunk of the response body.
const CHUNK: usize = 64 * 1024;

/// The `Content-Disposition` of a stored file shown in the browser: `filename` is an ASCII
/// stand-in (what old clients read), `filename*` the real name (RFC 6266 / RFC 8187). Any path
/// the name was uploaded with is dropped, so a client saving it cannot be sent elsewhere.
pub fn content_disposition(filename: &str) -> HeaderValue {
    let base = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches('.');
    let base = if base.is_empty() {
        "document.pdf"
    } else {
        base
    };
    let fallback: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(base.len() * 3);
    for b in base.bytes() {
        // RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" /
        // "_" / "`" / "|" / "~"; everything else is percent-encoded.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let value = format!("inline; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    // Every byte above is visible ASCII or a space, so this cannot fail; the fallback keeps the
    // response valid should that ever change.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("inline"))
}

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeAsk {
    /// No range, one this server does not serve partially (several ranges, another unit), or a
    /// malformed one: the whole file, as RFC 9110 lets a server answer any of these.
    Whole,
    /// One satisfiable range, end exclusive.
    Part(Range<u64>),
    /// A well-formed range that starts past the end: 416.
    Unsatisfiable,
}

/// Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` (RFC 9110 §14.1.2).
pub fn parse_range(value: &str, len: u64) -> RangeAsk {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAsk::Whole;
    };
    let spec = spec.trim();
    if spec.contains(',') {
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeAsk::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u64>().ok()
    };
    if first.is_empty() {
        // A suffix: the last n bytes.
        return match number(last) {
            Some(0) => RangeAsk::Unsatisfiable,
            Some(_) if len == 0 => RangeAsk::Unsatisfiable,
            Some(n) => RangeAsk::Part(len.saturating_sub(n)..len),
            None => RangeAsk::Whole,
        };
    }
    let Some(start) = number(first) else {
        return RangeAsk::Whole;
    };
    let end = if last.is_empty() {
        len
    } else {
        match number(last) {
            Some(l) if l >= start => l.saturating_add(1).min(len),
            _ => return RangeAsk::Whole,
        }
    };
    if start >= len {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start..end)
}

/// The stored file of a document, answered as `headers` ask: 200 whole, 206 one range, 304
/// when the client's copy is current, 416 for a range past the end.
pub async fn serve(
    path: std::path::PathBuf,
    sha256: &str,
    filename: &str,
    headers: &HeaderMap,
) -> std::io::Result<Response> {
    let mut file = tokio::fs::File::open(&path).await?;
    let len = file.metadata().await?.len();
    let etag = format!("\"{sha256}\"");
    let matches_etag = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .map(|t| t.trim().trim_start_matches("W/"))
                    .any(|t| t == etag || t == "*")
            })
    };
    let mut common = HeaderMap::new();
    common.insert(header::ETAG, header_value(&etag));
    common.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // The bytes of a document never change, but who may read them can: the browser keeps its
    // copy to itself and asks again each time, which the ETag makes a 304.
    common.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    if matches_etag(header::IF_NONE_MATCH) {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    common.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    common.insert(header::CONTENT_DISPOSITION, content_disposition(filename));
    common.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A range is served only for the same file: `If-Range` names the copy the client holds.
    let range_applies = !headers.contains_key(header::IF_RANGE) || matches_etag(header::IF_RANGE);
    let ask = match headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        Some(r) if range_applies => parse_range(r, len),
        _ => RangeAsk::Whole,
    };
    let (status, range) = match ask {
        RangeAsk::Whole => (StatusCode::OK, 0..len),
        RangeAsk::Part(r) => {
            common.insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes {}-{}/{len}", r.start, r.end - 1)),
            );
            (StatusCode::PARTIAL_CONTENT, r)
        }
        RangeAsk::Unsatisfiable => {
            common.insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{len}")),
            );
            common.remove(header::CONTENT_TYPE);
            common.remove(header::CONTENT_DISPOSITION);
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, common).into_response());
        }
    };
    common.insert(
        header::CONTENT_LENGTH,
        header_value(&(range.end - range.start).to_string()),
    );
    file.seek(SeekFrom::Start(range.start)).await?;
    let body = Body::from_stream(chunks(file, range.end - range.start));
    Ok((status, common, body).into_response())
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `remaining` bytes of `file` from where it stands, a chunk at a time: a large PDF is never
/// held in memory whole.
fn chunks(
    file: tokio::fs::File,
    remaining: u64,
) -> impl futures::Stream<Item = std::io::Result<axum::body::Bytes>> + Send + 'static {
    futures::stream::try_unfold((file, remaining), |(mut file, remaining)| async move {
        if remaining == 0 {
            return Ok(None);
        }
        let want = remaining.min(CHUNK as u64) as usize;
        let mut buf = vec![0u8; want];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            // The file is shorter than it was when the response began: end the body early, which
            // the client sees as a cut response rather than wrong bytes.
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "stored file shrank while being served",
            ));
        }
        buf.truncate(n);
        Ok(Some((
            axum::body::Bytes::from(buf),
            (file, remaining - n as u64),
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_rfc_9110_reads_them() {
        assert_eq!(parse_range("bytes=0-99", 1000), RangeAsk::Part(0..100));
        assert_eq!(parse_range("bytes=100-", 1000), RangeAsk::Part(100..1000));
        assert_eq!(parse_range("bytes=-100", 1000), RangeAsk::Part(900..1000));
        assert_eq!(parse_range("bytes=-5000", 1000), RangeAsk::Part(0..1000));
        assert_eq!(
            parse_range("bytes=900-5000", 1000),
            RangeAsk::Part(900..1000)
        );
        assert_eq!(
            parse_range("bytes=999-999", 1000),
            RangeAsk::Part(999..1000)
        );
        assert_eq!(parse_range("bytes=1000-", 1000), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 1000), RangeAsk::Unsatisfiable);
        // Served whole: several ranges, other units, nonsense, a last byte before the first.
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), RangeAsk::Whole);
        assert_eq!(parse_range("items=0-1", 1000), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=a-b", 1000), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=5-1", 1000), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=+1-2", 1000), RangeAsk::Whole);
        assert_eq!(
            parse_range("bytes=0-99999999999999999999999", 1000),
            RangeAsk::Whole
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // Test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than a block.
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn link_parameters_are_read_strictly() {
        assert_eq!(link_params(""), None);
        assert_eq!(link_params("x=1"), None);
        let s = "a".repeat(64);
        assert_eq!(
            link_params(&format!("t=3&e=100&s={s}")),
            Some(Ok((3, 100, s.clone())))
        );
        assert_eq!(link_params("t=3&e=100"), Some(Err(())));
        assert_eq!(link_params("t=x&e=100&s=ab"), Some(Err(())));
        assert!(same_signature("abc", "abc"));
        assert!(!same_signature("abc", "abd"));
        assert!(!same_signature("abc", "ab"));
    }

    #[test]
    fn file_names_are_safe_in_the_header() {
        let v = content_disposition("Vedlegg 2 til sak 24.25.pdf");
        assert_eq!(
            v.to_str().unwrap(),
            "inline; filename=\"Vedlegg 2 til sak 24.25.pdf\"; filename*=UTF-8''Vedlegg%202%20til%20sak%2024.25.pdf"
        );
        let v = content_disposition("../../etc/«Søknad»\"\r\n.pdf");
        let s = v.to_str().unwrap();
        assert!(
            s.starts_with("inline; filename=\"_S_knad____.pdf\"; "),
            "{s}"
        );
        assert!(
            s.ends_with("filename*=UTF-8''%C2%ABS%C3%B8knad%C2%BB%22%0D%0A.pdf"),
            "{s}"
        );
        assert_eq!(
            content_disposition("").to_str().unwrap(),
            "inline; filename=\"document.pdf\"; filename*=UTF-8''document.pdf"
        );
    }
}
