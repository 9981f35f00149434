//! Parsing one raw record into a [`Document`] or a [`Rejection`]: JSONL lines, text files and
//! HTML pages (whose main text is extracted). No I/O: the bytes come from [`super::corpus`].

use std::fmt;

use serde_json::Value;
use serde_json::value::RawValue;

use super::corpus::{Payload, RawRecord};
use crate::date::parse_date;

/// How records are read. Field names default to `id` and `text`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// JSONL field holding the document id; a dotted path (`meta.id`) reaches into nested
    /// objects (a field whose name has the dots itself comes first). By default, `id`.
    pub id_field: String,
    /// JSONL field holding the document text, dotted like the id field. By default, `text`.
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
    MissingField {
        /// The field.
        field: String,
        /// The record's top-level fields.
        seen: Vec<String>,
    },
    /// Neither the text field nor `html` is present.
    MissingText {
        /// The text field's name.
        text_field: String,
        /// The record's top-level fields.
        seen: Vec<String>,
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
    /// The bytes look like UTF-16 without a byte-order mark.
    LooksUtf16 {
        /// Little-endian rather than big-endian.
        little_endian: bool,
    },
    /// Larger than `--max-doc-bytes`; not read.
    TooLarge {
        /// Its size in bytes.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A folder entry that could not be read.
    Unreadable(String),
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::InvalidUtf8 { byte } => write!(
                f,
                "invalid UTF-8 at byte {byte}; if the input is in another encoding, name it with --encoding (for example windows-1252)"
            ),
            RecordProblem::LooksUtf16 { little_endian } => write!(
                f,
                "looks like UTF-16 without a byte-order mark; read it with --encoding {}",
                if *little_endian {
                    "utf-16le"
                } else {
                    "utf-16be"
                }
            ),
            RecordProblem::TooLarge { bytes, limit } => write!(
                f,
                "too large: {bytes} bytes, over --max-doc-bytes {limit}; not read"
            ),
            RecordProblem::Unreadable(reason) => write!(f, "cannot be read: {reason}"),
            RecordProblem::NotAnObject => f.write_str("not a JSON object"),
            RecordProblem::InvalidJson(message) => write!(f, "invalid JSON: {message}"),
            RecordProblem::MissingField { field, seen } => {
                write!(f, "missing field {field:?}")?;
                write_seen(f, seen)
            }
            RecordProblem::MissingText { text_field, seen } => {
                write!(f, "missing field {text_field:?} (or \"html\")")?;
                write_seen(f, seen)
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

/// `; fields seen: a, b, c` (nothing for a record without fields).
fn write_seen(f: &mut fmt::Formatter<'_>, seen: &[String]) -> fmt::Result {
    if seen.is_empty() {
        return Ok(());
    }
    write!(f, "; fields seen: {}", seen.join(", "))
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
        Payload::Oversized { bytes, limit } => Err(reject(
            None,
            RecordProblem::TooLarge {
                bytes: *bytes,
                limit: *limit,
            },
        )),
        Payload::Unreadable(reason) => Err(reject(None, RecordProblem::Unreadable(reason.clone()))),
    }
}

fn reject(id: Option<String>, problem: RecordProblem) -> Rejection {
    Rejection { id, problem }
}

fn check_utf8<'a>(id: Option<&str>, bytes: &'a [u8]) -> std::result::Result<&'a str, Rejection> {
    if let Some(little_endian) = looks_utf16(bytes) {
        return Err(reject(
            id.map(str::to_string),
            RecordProblem::LooksUtf16 { little_endian },
        ));
    }
    std::str::from_utf8(bytes).map_err(|e| {
        reject(
            id.map(str::to_string),
            RecordProblem::InvalidUtf8 {
                byte: e.valid_up_to(),
            },
        )
    })
}

/// Whether bytes look like UTF-16 read without its byte-order mark: text in Latin script
/// encoded as UTF-16 has a NUL in every other byte, which UTF-8 text never has. `Some(true)`
/// for little-endian (the NULs at odd offsets).
fn looks_utf16(bytes: &[u8]) -> Option<bool> {
    let head = &bytes[..bytes.len().min(2048)];
    if head.len() < 4 || memchr::memchr(0, head).is_none() {
        return None;
    }
    let nul_at = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|&(i, &b)| i % 2 == parity && b == 0)
            .count()
    };
    let (even, odd) = (nul_at(0), nul_at(1));
    let pairs = head.len() / 2;
    // Most characters of such text are ASCII: a NUL in at least a third of the pairs.
    if odd * 3 >= pairs && odd > even * 4 {
        Some(true)
    } else if even * 3 >= pairs && even > odd * 4 {
        Some(false)
    } else {
        None
    }
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
    // Pages are not always UTF-8: a legacy page is read in the encoding it declares.
    let html = crate::ingest::html::decode_page(bytes);
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
struct RecordFields<'de> {
    /// The id as written: a number keeps its JSON text.
    id: Option<&'de RawValue>,
    text: Option<Value>,
    title: Option<Value>,
    date: Option<Value>,
    source: Option<Value>,
    url: Option<Value>,
    html: Option<Value>,
    /// For a dotted id or text field (`meta.id`, `content.body`), the value of its first
    /// part, to look the rest up in.
    id_root: Option<Value>,
    text_root: Option<Value>,
}

struct RecordSeed<'a>(&'a ReadOptions);

/// The first part of a dotted field name (`content` of `content.body`), `None` for a plain
/// one.
fn dotted_head(field: &str) -> Option<&str> {
    field.split_once('.').map(|(head, _)| head)
}

/// The value at the rest of a dotted path (`body` of `content.body`) inside `root`.
fn dotted_lookup(root: Value, field: &str) -> Option<Value> {
    let (_, rest) = field.split_once('.')?;
    rest.split('.').try_fold(root, |value, part| match value {
        Value::Object(mut map) => map.remove(part),
        _ => None,
    })
}

impl<'de> serde::de::DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RecordFields<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<RecordFields<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RecordSeed<'_> {
    type Value = RecordFields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<RecordFields<'de>, A::Error> {
        let mut fields = RecordFields::default();
        let options = self.0;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            let slot = if key == options.id_field {
                fields.id = Some(map.next_value()?);
                continue;
            } else if key == options.text_field {
                &mut fields.text
            } else if Some(key.as_ref()) == dotted_head(&options.id_field) {
                &mut fields.id_root
            } else if Some(key.as_ref()) == dotted_head(&options.text_field) {
                &mut fields.text_root
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

/// A record's id from its JSON text: a string's contents, or a number's text exactly as
/// written (`1e3` stays `1e3`, and 10^23 + 1 keeps every digit). Ids are compared as text, so
/// the number `1` and the string `"1"` are the same id.
fn id_of(raw: &RawValue, field: &str) -> std::result::Result<String, RecordProblem> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => {
            let id: String = serde_json::from_str(text)
                .map_err(|e| RecordProblem::InvalidJson(e.to_string()))?;
            if id.trim().is_empty() {
                Err(RecordProblem::EmptyField(field.to_string()))
            } else {
                Ok(id)
            }
        }
        Some(b'-' | b'0'..=b'9') => Ok(text.to_string()),
        _ => Err(RecordProblem::WrongType {
            field: field.to_string(),
            expected: "a string or number",
            found: serde_json::from_str::<Value>(text)
                .map(|v| json_kind(&v))
                .unwrap_or("invalid JSON"),
        }),
    }
}

/// The top-level field names of a JSON object line, sorted, for explaining a missing field.
fn field_names(bytes: &[u8]) -> Vec<String> {
    serde_json::from_slice::<serde_json::Map<String, Value>>(bytes)
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}

fn parse_json_line(
    bytes: &[u8],
    options: &ReadOptions,
) -> std::result::Result<Document, Rejection> {
    if let Some(little_endian) = looks_utf16(bytes) {
        return Err(reject(None, RecordProblem::LooksUtf16 { little_endian }));
    }
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
    let raw_id = match (fields.id, fields.id_root) {
        (Some(raw), _) => Some(id_of(raw, &options.id_field)),
        (None, Some(root)) => dotted_lookup(root, &options.id_field).map(|value| {
            let text = serde_json::to_string(&value).unwrap_or_default();
            let raw = RawValue::from_string(text).expect("serialized JSON is valid");
            id_of(&raw, &options.id_field)
        }),
        (None, None) => None,
    };
    let id = match raw_id {
        Some(Ok(id)) => id,
        Some(Err(problem)) => return Err(reject(None, problem)),
        None => {
            return Err(reject(
                None,
                RecordProblem::MissingField {
                    field: options.id_field.clone(),
                    seen: field_names(bytes),
                },
            ));
        }
    };
    let text_value = match (fields.text, fields.text_root) {
        (Some(value), _) => Some(value),
        (None, Some(root)) => dotted_lookup(root, &options.text_field),
        (None, None) => None,
    };
    let mut page = None;
    let mut page_title = None;
    let text = match (text_value, fields.html) {
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
                    seen: field_names(bytes),
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
    fn numeric_ids_keep_their_json_text() {
        assert_eq!(parse(r#"{"id":42,"text":"x"}"#).unwrap().id, "42");
        assert_eq!(parse(r#"{"id":1e3,"text":"x"}"#).unwrap().id, "1e3");
        assert_eq!(parse(r#"{"id":-0.50,"text":"x"}"#).unwrap().id, "-0.50");
        let big = |n: &str| parse(&format!(r#"{{"id":{n},"text":"x"}}"#)).unwrap().id;
        assert_ne!(
            big("100000000000000000000001"),
            big("100000000000000000000002")
        );
        assert_eq!(parse(r#"{"id":"a\"b","text":"x"}"#).unwrap().id, "a\"b");
    }

    #[test]
    fn dotted_fields_reach_into_nested_objects() {
        let options = ReadOptions {
            id_field: "meta.id".to_string(),
            text_field: "content.body".to_string(),
        };
        let parse_with = |line: &str| {
            let raw = RawRecord {
                origin: origin(),
                payload: Payload::JsonLine(line.as_bytes().to_vec()),
                position: RecordPosition::default(),
            };
            parse_record(&raw, &options)
        };
        let doc = parse_with(r#"{"meta":{"id":7},"content":{"body":"Deep text"}}"#).unwrap();
        assert_eq!((doc.id.as_str(), doc.text.as_str()), ("7", "Deep text"));
        // A field named with the dots itself wins.
        let doc = parse_with(r#"{"meta.id":"flat","content":{"body":"x"}}"#).unwrap();
        assert_eq!(doc.id, "flat");
        let missing = parse_with(r#"{"meta":{"id":7},"content":{"text":"x"}}"#).unwrap_err();
        assert_eq!(
            missing.problem.to_string(),
            r#"missing field "content.body" (or "html"); fields seen: content, meta"#
        );
    }

    #[test]
    fn bad_records_are_rejected_with_location() {
        check_rejected(
            "{not json",
            "invalid JSON: key must be a string at line 1 column 2",
        );
        check_rejected("[1,2]", "not a JSON object");
        check_rejected(
            r#"{"text":"x"}"#,
            r#"missing field "id"; fields seen: text"#,
        );
        check_rejected(
            r#"{"id":"a","title":"t","body":"b"}"#,
            r#"missing field "text" (or "html"); fields seen: body, id, title"#,
        );
        check_rejected(
            r#"{"id":true,"text":"x"}"#,
            r#"field "id" must be a string or number, found a boolean"#,
        );
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
