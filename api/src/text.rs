//! Offsets as clients count them. The API gives every offset into a text in UTF-16 code units:
//! JavaScript (`String.prototype.slice`, DOM ranges) and most UI toolkits index strings that
//! way, so a browser marks a word without re-splitting the text; a character outside the Basic
//! Multilingual Plane (an emoji, a rare CJK or historic character) counts two.

/// UTF-16 code units in the first `chars` Unicode scalar values of `text` (all of it when
/// `chars` is past the end).
pub fn utf16_offset(text: &str, chars: usize) -> usize {
    text.chars().take(chars).map(char::len_utf16).sum()
}

/// UTF-16 code units before byte `byte` of `text`; `None` when `byte` is not a character
/// boundary.
pub fn utf16_at_byte(text: &str, byte: usize) -> Option<usize> {
    Some(text.get(..byte)?.encode_utf16().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astral_characters_count_two() {
        let t = "😀 sak æ 𝔄b";
        assert_eq!(utf16_offset(t, 0), 0);
        assert_eq!(utf16_offset(t, 1), 2);
        assert_eq!(utf16_offset(t, 6), 7);
        assert_eq!(utf16_offset(t, 9), 11);
        assert_eq!(utf16_offset(t, 100), t.encode_utf16().count());
        assert_eq!(utf16_at_byte(t, 4), Some(2));
        assert_eq!(utf16_at_byte(t, 1), None);
        let js: Vec<u16> = t.encode_utf16().collect();
        let s = utf16_at_byte(t, t.find("sak").unwrap()).unwrap();
        assert_eq!(String::from_utf16(&js[s..s + 3]).unwrap(), "sak");
    }
}
