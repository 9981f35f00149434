//! A run's spool: text that was expensive to get (the main text extracted from an HTML page)
//! written once to a temporary file, so later passes read it back instead of extracting it
//! again. The file is removed when the spool is dropped.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Where a piece of text is in the spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolRange {
    /// Byte offset in the spool file.
    pub offset: u64,
    /// Length in bytes.
    pub len: u32,
}

/// An append-only temporary file of texts.
#[derive(Debug)]
pub struct Spool {
    writer: BufWriter<File>,
    reader: Mutex<File>,
    len: u64,
    // Keeps the file's name until the spool is dropped, then removes it.
    _path: tempfile::TempPath,
}

/// The name errors give the spool, which has no name a user would know.
const SPOOL: &str = "<spool>";

impl Spool {
    /// An empty spool in the system's temporary folder.
    pub fn new() -> Result<Spool> {
        let file = tempfile::NamedTempFile::new().map_err(|e| Error::io(SPOOL, e))?;
        let reader = file.reopen().map_err(|e| Error::io(SPOOL, e))?;
        let (file, path) = file.into_parts();
        Ok(Spool {
            writer: BufWriter::with_capacity(1 << 20, file),
            reader: Mutex::new(reader),
            len: 0,
            _path: path,
        })
    }

    /// Appends `text` and says where it went.
    pub fn append(&mut self, text: &str) -> Result<SpoolRange> {
        let len = u32::try_from(text.len()).map_err(|_| {
            Error::io(
                SPOOL,
                std::io::Error::other("a text of 4 GiB or more cannot be spooled"),
            )
        })?;
        self.writer
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(SPOOL, e))?;
        let range = SpoolRange {
            offset: self.len,
            len,
        };
        self.len += u64::from(len);
        Ok(range)
    }

    /// Makes everything appended so far readable.
    pub fn flush(&mut self) -> Result<()> {
        self.writer.flush().map_err(|e| Error::io(SPOOL, e))
    }

    /// The text at `range` (the spool must have been flushed since it was appended).
    pub fn read(&self, range: SpoolRange) -> Result<String> {
        let mut bytes = vec![0u8; range.len as usize];
        let mut reader = self
            .reader
            .lock()
            .expect("no panics while reading the spool");
        reader
            .seek(SeekFrom::Start(range.offset))
            .and_then(|_| reader.read_exact(&mut bytes))
            .map_err(|e| Error::io(SPOOL, e))?;
        String::from_utf8(bytes).map_err(|_| Error::input_changed(SPOOL))
    }

    /// Bytes appended so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was appended.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_as_they_went_in() {
        let mut spool = Spool::new().unwrap();
        let first = spool.append("Zürich — the first text").unwrap();
        let empty = spool.append("").unwrap();
        let second = spool.append("and the second").unwrap();
        spool.flush().unwrap();
        assert_eq!(spool.read(second).unwrap(), "and the second");
        assert_eq!(spool.read(first).unwrap(), "Zürich — the first text");
        assert_eq!(spool.read(empty).unwrap(), "");
        assert_eq!(spool.len(), first.len as u64 + second.len as u64);
    }
}
