//! Last-resort repair of a truncated file: the objects before the cut survive, but the page
//! tree, catalog and trailer that writers put at the end do not. We find the page objects by
//! their type and append a fresh page tree, catalog and trailer for lopdf to rebuild around.

/// Files with more objects than this are not worth the scan.
const MAX_OBJECTS: usize = 1_000_000;

/// The bytes with a new page tree over every `/Type /Page` object appended, or `None` when no
/// page object is found.
pub fn with_new_page_tree(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut pages: Vec<(u64, u64)> = Vec::new();
    let mut max_id = 0u64;
    let mut at = 0;
    let mut seen = 0usize;
    while let Some(pos) = find(&bytes[at..], b" obj").map(|p| p + at) {
        at = pos + 4;
        seen += 1;
        if seen > MAX_OBJECTS {
            break;
        }
        let Some((id, gen)) = object_header(bytes, pos) else {
            continue;
        };
        max_id = max_id.max(id);
        // Only the start of an object is looked at, so the search for its end stays local.
        let window = &bytes[at..bytes.len().min(at + 4096)];
        let body = &window[..find(window, b"endobj").unwrap_or(window.len())];
        if is_page_dict(body) {
            pages.push((id, gen));
        }
    }
    if pages.is_empty() {
        return None;
    }
    let tree = max_id + 1;
    let catalog = max_id + 2;
    let kids: Vec<String> = pages
        .iter()
        .map(|(id, gen)| format!("{id} {gen} R"))
        .collect();
    let mut out = bytes.to_vec();
    // Close a stream or object the cut may have left open before adding ours.
    out.extend_from_slice(b"\nendstream\nendobj\n");
    out.extend_from_slice(
        format!(
            "{tree} 0 obj\n<< /Type /Pages /Kids [{}] /Count {} >>\nendobj\n\
             {catalog} 0 obj\n<< /Type /Catalog /Pages {tree} 0 R >>\nendobj\n\
             trailer\n<< /Root {catalog} 0 R /Size {} >>\n%%EOF\n",
            kids.join(" "),
            pages.len(),
            catalog + 1
        )
        .as_bytes(),
    );
    Some(out)
}

/// `N G` right before the ` obj` at `pos`, at the start of a line or after whitespace.
fn object_header(bytes: &[u8], pos: usize) -> Option<(u64, u64)> {
    let head = &bytes[pos.saturating_sub(24)..pos];
    let text = std::str::from_utf8(head.rsplit(|b| *b == b'\n' || *b == b'\r').next()?).ok()?;
    let mut parts = text.split_ascii_whitespace().rev();
    let gen = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    Some((id, gen))
}

fn is_page_dict(body: &[u8]) -> bool {
    let mut at = 0;
    while let Some(p) = find(&body[at..], b"/Type").map(|p| p + at) {
        let rest = &body[p + 5..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if let Some(after) = rest.strip_prefix(b"/Page") {
            if !after.first().is_some_and(u8::is_ascii_alphanumeric) {
                return true;
            }
        }
        at = p + 5;
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pages_not_page_trees() {
        let file = b"%PDF-1.4\n3 0 obj\n<</Type/Pages/Kids[4 0 R]>>\nendobj\n4 0 obj\n<</Type /Page/Parent 3 0 R>>\nendobj\n12 0 obj\n<</Type/Page>>\nendobj\n13 0 obj\n<</Length 99>>\nstream\nBT (cut";
        let fixed = with_new_page_tree(file).expect("pages");
        let tail = String::from_utf8_lossy(&fixed[file.len()..]).into_owned();
        assert!(tail.contains("/Kids [4 0 R 12 0 R] /Count 2"), "{tail}");
        assert!(
            tail.contains("14 0 obj") && tail.contains("/Root 15 0 R"),
            "{tail}"
        );
        assert!(with_new_page_tree(b"%PDF-1.4\n1 0 obj\n<</Type/Catalog>>\nendobj").is_none());
    }
}
