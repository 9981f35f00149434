//! Parsing one raw record into a [`Document`] or a [`Rejection`]: JSONL lines, text files and
//! HTML pages (whose main text is extracted). No I/O: the bytes come from [`super::corpus`].

use std::fmt;

use serde_json::Value;

use super::corpus::{Payload, RawRecord};
use crate::date::parse_date;

/// How records are read. Field names default to `id` and `text`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// JSONL field holding the document id. By default, `id`.
    pub id_field: String,
    /// JSONL field holding the document text. By default, `text`.
    pub text_field: String,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            id_field: "id".to_string(),
            text_field: "text".to_string(),
        }
    }
}

/// A parsed input document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's id, unique in the corpus.
    pub id: String,
    /// The article text.
    pub text: String,
    /// The headline, if the record has one (for `.txt`/`.md` files, the first non-empty line).
    pub title: Option<String>,
    /// Publication time in seconds since the Unix epoch (UTC), from the `date` field.
    pub date: Option<i64>,
    /// The outlet that published it, from the `source` field.
    pub source: Option<String>,
    /// The article's address, from the `url` field.
    pub url: Option<String>,
    /// Problems with optional fields that did not stop the record from being used.
    pub warnings: Vec<RecordWarning>,
    /// For a document that came as an HTML page (an `.html` file or an `html` field): the
    /// size of the page's text and how to read the extracted `text`.
    pub page: Option<PageOrigin>,
}

/// What is known of a document's page when it came as HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOrigin {
    /// Non-space characters of the whole page's text: what extraction dropped is the
    /// difference with the extracted text.
    pub page_chars: usize,
    /// Whether the text is the whole page rather than its extracted main text (see
    /// [`super::html::ExtractedPage::whole_page`]): its furniture is still in it.
    pub whole_page: bool,
}

/// Why a record could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The record's id when it could be read.
    pub id: Option<String>,
    /// What is wrong with it.
    pub problem: RecordProblem,
}

/// What makes a record unreadable. `Display` gives the explanation that follows `file:line:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordProblem {
    /// The bytes are not UTF-8; the first bad byte is at this offset.
    InvalidUtf8 {
        /// Offset of the first invalid byte in the record.
        byte: usize,
    },
    /// A JSONL line that is not a JSON object.
    NotAnObject,
    /// A JSONL line the JSON parser rejects, with its message.
    InvalidJson(String),
    /// A required field is absent.
    MissingField(String),
    /// Neither the text field nor `html` is present.
    MissingText {
        /// The text field's name.
        text_field: String,
    },
    /// The id field is empty.
    EmptyField(String),
    /// A field holds the wrong kind of JSON value.
    WrongType {
        /// The field.
        field: String,
        /// What it must hold ("a string", "a string or number").
        expected: &'static str,
        /// What it holds ("a number", "an array", ...).
        found: &'static str,
    },
    /// The page's main text could not be extracted.
    Extraction(String),
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::InvalidUtf8 { byte } => write!(f, "invalid UTF-8 at byte {byte}"),
            RecordProblem::NotAnObject => f.write_str("not a JSON object"),
            RecordProblem::InvalidJson(message) => write!(f, "invalid JSON: {message}"),
            RecordProblem::MissingField(field) => write!(f, "missing field {field:?}"),
            RecordProblem::MissingText { text_field } => {
                write!(f, "missing field {text_field:?} (or \"html\")")
            }
            RecordProblem::EmptyField(field) => write!(f, "field {field:?} is empty"),
            RecordProblem::WrongType {
                field,
                expected,
                found,
            } => write!(f, "field {field:?} must be {expected}, found {found}"),
            RecordProblem::Extraction(message) => f.write_str(message),
        }
    }
}

/// A problem with an optional field that did not stop the record from being used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordWarning {
    /// An optional field holds something other than a string.
    NotAString {
        /// The field.
        field: &'static str,
        /// What it holds ("a number", "an array", ...).
        found: &'static str,
    },
    /// The date is not ISO 8601.
    BadDate(String),
}

impl fmt::Display for RecordWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordWarning::NotAString { field, found } => {
                write!(f, "field {field:?} is {found}, not a string; ignored")
            }
            RecordWarning::BadDate(date) => write!(f, "date {date:?} is not ISO 8601; ignored"),
        }
    }
}

/// Turns a raw record into a document, or says why it cannot be used.
pub fn parse_record(
    raw: &RawRecord,
    options: &ReadOptions,
) -> std::result::Result<Document, Rejection> {
    match &raw.payload {
        Payload::TextFile {
            id,
            bytes,
            html: false,
        } => parse_text_file(id, bytes),
        Payload::TextFile {
            id,
            bytes,
            html: true,
        } => parse_html_file(id, bytes),
        Payload::JsonLine(bytes) => parse_json_line(bytes, options),
    }
}

fn reject(id: Option<String>, problem: RecordProblem) -> Rejection {
    Rejection { id, problem }
}

fn check_utf8<'a>(id: Option<&str>, bytes: &'a [u8]) -> std::result::Result<&'a str, Rejection> {
    std::str::from_utf8(bytes).map_err(|e| {
        reject(
            id.map(str::to_string),
            RecordProblem::InvalidUtf8 {
                byte: e.valid_up_to(),
            },
        )
    })
}

fn parse_text_file(id: &str, bytes: &[u8]) -> std::result::Result<Document, Rejection> {
    let text = check_utf8(Some(id), bytes)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(Document {
        id: id.to_string(),
        text: text.to_string(),
        title: first_line_title(text),
        date: None,
        source: None,
        url: None,
        warnings: Vec::new(),
        page: None,
    })
}

/// An HTML file: its main text, extracted; the page's `<title>` as the title.
fn parse_html_file(id: &str, bytes: &[u8]) -> std::result::Result<Document, Rejection> {
    // Pages are not always UTF-8; the markup survives a lossy decoding, and so does most text.
    let html = String::from_utf8_lossy(bytes);
    let (text, title, page) = extract_page(id, &html)?;
    Ok(Document {
        id: id.to_string(),
        text,
        title,
        date: None,
        source: None,
        url: None,
        warnings: Vec::new(),
        page: Some(page),
    })
}

/// The main text of a page, its title and what is known of the page.
fn extract_page(
    id: &str,
    html: &str,
) -> std::result::Result<(String, Option<String>, PageOrigin), Rejection> {
    let extracted = crate::ingest::html::extract_main_text(html).map_err(|e| {
        reject(
            Some(id.to_string()),
            RecordProblem::Extraction(e.to_string()),
        )
    })?;
    let page = PageOrigin {
        page_chars: extracted.page_chars,
        whole_page: extracted.whole_page,
    };
    Ok((extracted.text, extracted.title, page))
}

/// The first non-empty line, without Markdown heading marks, as a title.
fn first_line_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches('#').trim();
    if line.is_empty() {
        return None;
    }
    Some(line.chars().take(120).collect())
}

/// The fields of a JSONL record that reprint reads; every other field is skipped by the
/// parser without being built, which keeps parsing fast on records with large extra fields.
#[derive(Default)]
struct RecordFields {
    id: Option<Value>,
    text: Option<Value>,
    title: Option<Value>,
    date: Option<Value>,
    source: Option<Value>,
    url: Option<Value>,
    html: Option<Value>,
}

struct RecordSeed<'a>(&'a ReadOptions);

impl<'de> serde::de::DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<RecordFields, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<RecordFields, A::Error> {
        let mut fields = RecordFields::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let slot = if key == self.0.id_field {
                &mut fields.id
            } else if key == self.0.text_field {
                &mut fields.text
            } else {
                match key.as_ref() {
                    "title" => &mut fields.title,
                    "date" => &mut fields.date,
                    "source" => &mut fields.source,
                    "url" => &mut fields.url,
                    "html" => &mut fields.html,
                    _ => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    }
                }
            };
            *slot = Some(map.next_value()?);
        }
        Ok(fields)
    }
}

fn parse_json_line(
    bytes: &[u8],
    options: &ReadOptions,
) -> std::result::Result<Document, Rejection> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        check_utf8(None, bytes)?;
        return Err(reject(None, RecordProblem::NotAnObject));
    }
    // The parser validates UTF-8 inside strings as it goes; a separate pass over the line is
    // needed only to explain a failure.
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let fields = serde::de::DeserializeSeed::deserialize(RecordSeed(options), &mut deserializer)
        .and_then(|fields| deserializer.end().map(|()| fields))
        .map_err(|e| match check_utf8(None, bytes) {
            Err(rejection) => rejection,
            Ok(_) => reject(None, RecordProblem::InvalidJson(e.to_string())),
        })?;
    let id = match fields.id {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(_)) => {
            return Err(reject(
                None,
                RecordProblem::EmptyField(options.id_field.clone()),
            ));
        }
        Some(other) => {
            return Err(reject(
                None,
                RecordProblem::WrongType {
                    field: options.id_field.clone(),
                    expected: "a string or number",
                    found: json_kind(&other),
                },
            ));
        }
        None => {
            return Err(reject(
                None,
                RecordProblem::MissingField(options.id_field.clone()),
            ));
        }
    };
    let mut page = None;
    let mut page_title = None;
    let text = match (fields.text, fields.html) {
        (Some(Value::String(s)), _) => s,
        // A crawled page without a text field: its main text is extracted.
        (None | Some(Value::Null), Some(Value::String(html))) => {
            let (text, title, origin_page) = extract_page(&id, &html)?;
            page = Some(origin_page);
            page_title = title;
            text
        }
        (None | Some(Value::Null), Some(other)) => {
            return Err(reject(
                Some(id),
                RecordProblem::WrongType {
                    field: "html".to_string(),
                    expected: "a string",
                    found: json_kind(&other),
                },
            ));
        }
        (Some(other), _) => {
            return Err(reject(
                Some(id),
                RecordProblem::WrongType {
                    field: options.text_field.clone(),
                    expected: "a string",
                    found: json_kind(&other),
                },
            ));
        }
        (None, None) => {
            return Err(reject(
                Some(id),
                RecordProblem::MissingText {
                    text_field: options.text_field.clone(),
                },
            ));
        }
    };
    let mut warnings = Vec::new();
    let mut optional_string = |field: &'static str, value: Option<Value>| match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            warnings.push(RecordWarning::NotAString {
                field,
                found: json_kind(&other),
            });
            None
        }
    };
    let title = optional_string("title", fields.title).or(page_title);
    let source = optional_string("source", fields.source);
    let url = optional_string("url", fields.url);
    let date_text = optional_string("date", fields.date);
    let date = date_text.as_deref().and_then(|d| match parse_date(d) {
        Some(seconds) => Some(seconds),
        None => {
            warnings.push(RecordWarning::BadDate(d.to_string()));
            None
        }
    });
    Ok(Document {
        id,
        text,
        title,
        date,
        source,
        url,
        warnings,
        page,
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::corpus::{Origin, RecordPosition};
    use std::sync::Arc;

    fn origin() -> Origin {
        Origin {
            file: Arc::from("feed.jsonl"),
            line: 7,
        }
    }

    fn parse(line: &str) -> std::result::Result<Document, Rejection> {
        let raw = RawRecord {
            origin: origin(),
            payload: Payload::JsonLine(line.as_bytes().to_vec()),
            position: RecordPosition::default(),
        };
        parse_record(&raw, &ReadOptions::default())
    }

    fn check_rejected(line: &str, expected_reason: &str) {
        let rejection = parse(line).unwrap_err();
        assert_eq!(rejection.problem.to_string(), expected_reason);
    }

    #[test]
    fn full_record_is_parsed() {
        let doc = parse(r#"{"id":"a1","text":"Body","title":"T","date":"2024-03-01T10:00:00+02:00","source":"Wire","url":"http://x","extra":3}"#).unwrap();
        assert_eq!(doc.id, "a1");
        assert_eq!(doc.text, "Body");
        assert_eq!(doc.title.as_deref(), Some("T"));
        assert_eq!(doc.source.as_deref(), Some("Wire"));
        assert_eq!(doc.date, Some(1709280000));
        assert!(doc.warnings.is_empty());
    }

    #[test]
    fn numeric_ids_are_accepted() {
        assert_eq!(parse(r#"{"id":42,"text":"x"}"#).unwrap().id, "42");
    }

    #[test]
    fn bad_records_are_rejected_with_location() {
        check_rejected(
            "{not json",
            "invalid JSON: key must be a string at line 1 column 2",
        );
        check_rejected("[1,2]", "not a JSON object");
        check_rejected(r#"{"text":"x"}"#, r#"missing field "id""#);
        check_rejected(r#"{"id":"a"}"#, r#"missing field "text" (or "html")"#);
        check_rejected(
            r#"{"id":"a","text":5}"#,
            r#"field "text" must be a string, found a number"#,
        );
        check_rejected(r#"{"id":"","text":"x"}"#, r#"field "id" is empty"#);
    }

    #[test]
    fn invalid_utf8_is_rejected() {
        let raw = RawRecord {
            origin: origin(),
            payload: Payload::JsonLine(b"{\"id\":\"a\",\"text\":\"\xff\"}".to_vec()),
            position: RecordPosition::default(),
        };
        let rejection = parse_record(&raw, &ReadOptions::default()).unwrap_err();
        assert_eq!(rejection.problem, RecordProblem::InvalidUtf8 { byte: 18 });
    }

    #[test]
    fn bad_date_is_a_warning_not_a_rejection() {
        let doc = parse(r#"{"id":"a","text":"x","date":"yesterday"}"#).unwrap();
        assert_eq!(doc.date, None);
        assert_eq!(
            doc.warnings,
            vec![RecordWarning::BadDate("yesterday".to_string())]
        );
    }

    #[test]
    fn text_file_title_is_first_line() {
        assert_eq!(
            first_line_title("\n# Big news \nbody"),
            Some("Big news".to_string())
        );
        assert_eq!(first_line_title("  \n"), None);
    }
}
