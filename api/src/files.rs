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
