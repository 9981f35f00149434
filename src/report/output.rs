//! Where reports go. An output is opened before any work starts, so a path that cannot be
//! written fails at once rather than after the whole computation; a file is written to a
//! temporary file beside its final path and renamed over it only once complete, so a failed
//! run leaves no half-written file and an existing file is untouched until the run succeeds.
//! `-` is standard output.

use std::io::{BufWriter, Stdout, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where one output goes, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output (`-`).
    Stdout,
    /// A file.
    File(PathBuf),
}

impl Destination {
    /// `-` is standard output; anything else is a file path.
    pub fn from_arg(arg: &Path) -> Destination {
        if arg == Path::new("-") {
            Destination::Stdout
        } else {
            Destination::File(arg.to_path_buf())
        }
    }

    /// The file's path, unless the destination is standard output.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Destination::Stdout => None,
            Destination::File(path) => Some(path),
        }
    }
}

/// The name standard output has in error messages.
const STDOUT: &str = "<stdout>";

/// An output being written; see the module documentation.
pub struct Output {
    sink: Sink,
}

enum Sink {
    Stdout(BufWriter<Stdout>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    /// Opens `destination` for writing: for a file, a temporary file in its folder (which
    /// must exist and be writable), made readable as a new file would be.
    pub fn open(destination: &Destination) -> Result<Output> {
        let sink = match destination {
            Destination::Stdout => Sink::Stdout(BufWriter::new(std::io::stdout())),
            Destination::File(path) => {
                if path.is_dir() {
                    return Err(Error::io(
                        path,
                        std::io::Error::other("is a folder, not a file"),
                    ));
                }
                let folder = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                let mut builder = tempfile::Builder::new();
                builder.prefix(".reprint-").suffix(".partial");
                // A new file's mode (the process's umask still applies), not the
                // temporary file's private 0600.
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    builder.permissions(std::fs::Permissions::from_mode(0o666));
                }
                let temp = builder
                    .tempfile_in(folder)
                    .map_err(|e| Error::io(path, e))?;
                Sink::File {
                    writer: BufWriter::with_capacity(1 << 16, temp),
                    path: path.clone(),
                }
            }
        };
        Ok(Output { sink })
    }

    /// The output's name for messages: its path, or `<stdout>`.
    pub fn name(&self) -> &Path {
        match &self.sink {
            Sink::Stdout(_) => Path::new(STDOUT),
            Sink::File { path, .. } => path,
        }
    }

    /// Flushes the output and, for a file, renames the temporary file over the final path.
    pub fn finish(self) -> Result<()> {
        match self.sink {
            Sink::Stdout(mut writer) => writer.flush().map_err(|e| Error::io(STDOUT, e)),
            Sink::File { writer, path } => {
                let temp = writer
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                temp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write(bytes),
            Sink::File { writer, .. } => writer.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write_all(bytes),
            Sink::File { writer, .. } => writer.write_all(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.flush(),
            Sink::File { writer, .. } => writer.flush(),
        }
    }
}

/// The four reports of `scan --output DIR`, opened together before the scan.
pub struct ReportDir {
    outputs: Vec<Output>,
}

/// The reports `scan` writes, in the order they are written.
pub const REPORT_FILES: [&str; 4] = [
    "docs.jsonl",
    "pairs.jsonl",
    "clusters.jsonl",
    "outlets.jsonl",
];

impl ReportDir {
    /// Creates `dir` if needed and opens its four reports.
    pub fn open(dir: &Path) -> Result<ReportDir> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let outputs = REPORT_FILES
            .iter()
            .map(|name| Output::open(&Destination::File(dir.join(name))))
            .collect::<Result<Vec<_>>>()?;
        Ok(ReportDir { outputs })
    }

    /// The report files' paths.
    pub fn paths(dir: &Path) -> Vec<PathBuf> {
        REPORT_FILES.iter().map(|name| dir.join(name)).collect()
    }

    pub(super) fn into_outputs(self) -> Vec<Output> {
        self.outputs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "old\n").unwrap();
        let mut output = Output::open(&Destination::File(path.clone())).unwrap();
        output.write_all(b"new\n").unwrap();
        output.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        output.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn an_output_dropped_unfinished_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut output = Output::open(&Destination::File(path.clone())).unwrap();
        output.write_all(b"half").unwrap();
        drop(output);
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn unwritable_destinations_fail_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-folder").join("out.jsonl");
        let error = Output::open(&Destination::File(missing.clone()))
            .err()
            .unwrap();
        assert!(error.to_string().contains("no-such-folder"), "{error}");
        let error = Output::open(&Destination::File(dir.path().to_path_buf()))
            .err()
            .unwrap();
        assert!(error.to_string().contains("is a folder"), "{error}");
    }

    #[test]
    fn a_dash_is_standard_output() {
        assert_eq!(Destination::from_arg(Path::new("-")), Destination::Stdout);
        assert_eq!(
            Destination::from_arg(Path::new("./-")),
            Destination::File(PathBuf::from("./-"))
        );
    }
}
