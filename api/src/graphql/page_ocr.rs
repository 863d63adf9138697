use async_graphql::SimpleObject;

/// How OCR read a page that had no usable text layer (a scan), or why it could not.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct PageOcr {
    /// 1-based page number.
    pub page: i32,
    /// The engine and its version ("tesseract 5.3.0"); null when OCR did not run on the page.
    pub engine: Option<String>,
    /// The language model and its version ("nor 4.00.00alpha:nor:synth20170629").
    pub model: Option<String>,
    /// Mean word confidence, 0 to 1: how sure the engine was of what it read.
    pub confidence: Option<f64>,
    /// Why the page has no text from OCR (OCR not installed, an unreadable image, a time-out);
    /// null when it was read. `planarkiv reextract --failed` reads such pages again.
    pub error: Option<String>,
}
