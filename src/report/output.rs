//! Where reports go. An output is opened before any work starts, so a path that cannot be
//! written fails at once rather than after the whole computation; a file is written to a
//! temporary file beside its final path and renamed over it only once complete, so a failed
//! run leaves no half-written file and an existing file is untouched until the run succeeds.
//! `-` is standard output. A path that already names something other than a regular file (a
//! device such as `/dev/null`, a named pipe) is written in place: renaming over it would
//! replace the device with a plain file. A symbolic link is followed, so the link stays and
//! its target gets the new content.

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
        /// Where the temporary file is renamed to: `path`, or the file its link points at.
        target: PathBuf,
    },
    /// A device or pipe, written as it is opened.
    Special {
        writer: BufWriter<std::fs::File>,
        path: PathBuf,
    },
}

/// The file a path's content lives in: the path itself, or the end of its chain of symbolic
/// links (which need not exist yet).
fn link_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut target = path.to_path_buf();
    // Linux gives up after 40 links (ELOOP); so does this.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let next = std::fs::read_link(&target)?;
                target = match target.parent() {
                    Some(parent) => parent.join(next),
                    None => next,
                };
            }
            _ => return Ok(target),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
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
                let target = link_target(path).map_err(|e| Error::io(path, e))?;
                if let Ok(meta) = std::fs::metadata(&target)
                    && !meta.is_file()
                {
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&target)
                        .map_err(|e| Error::io(path, e))?;
                    return Ok(Output {
                        sink: Sink::Special {
                            writer: BufWriter::with_capacity(1 << 16, file),
                            path: path.clone(),
                        },
                    });
                }
                let folder = match target.parent() {
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
                    target,
                }
            }
        };
        Ok(Output { sink })
    }

    /// The output's name for messages: its path, or `<stdout>`.
    pub fn name(&self) -> &Path {
        match &self.sink {
            Sink::Stdout(_) => Path::new(STDOUT),
            Sink::File { path, .. } | Sink::Special { path, .. } => path,
        }
    }

    /// Flushes the output and, for a file, renames the temporary file over the final path.
    pub fn finish(self) -> Result<()> {
        match self.sink {
            Sink::Stdout(mut writer) => writer.flush().map_err(|e| Error::io(STDOUT, e)),
            Sink::File {
                writer,
                path,
                target,
            } => {
                let temp = writer
                    .into_inner()
                    .map_err(|e| Error::io(&path, e.into_error()))?;
                temp.persist(&target)
                    .map_err(|e| Error::io(&path, e.error))?;
                Ok(())
            }
            Sink::Special { mut writer, path } => writer.flush().map_err(|e| Error::io(&path, e)),
        }
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write(bytes),
            Sink::File { writer, .. } => writer.write(bytes),
            Sink::Special { writer, .. } => writer.write(bytes),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.write_all(bytes),
            Sink::File { writer, .. } => writer.write_all(bytes),
            Sink::Special { writer, .. } => writer.write_all(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Stdout(writer) => writer.flush(),
            Sink::File { writer, .. } => writer.flush(),
            Sink::Special { writer, .. } => writer.flush(),
        }
    }
}

/// The reports of `scan --output DIR`, opened together before the scan.
pub struct ReportDir {
    dir: PathBuf,
    outputs: Vec<Output>,
    /// `texts.jsonl` and `report.html`, unless the report was turned off.
    report: Option<(Output, Output)>,
}

/// The reports `scan` writes, in the order they are written.
pub const REPORT_FILES: [&str; 5] = [
    "docs.jsonl",
    "pairs.jsonl",
    "clusters.jsonl",
    "outlets.jsonl",
    "scan.json",
];

/// The texts the HTML report shows, then the report: written after [`REPORT_FILES`], from
/// which the report is built.
pub const HTML_REPORT_FILES: [&str; 2] = ["texts.jsonl", "report.html"];

impl ReportDir {
    /// Creates `dir` if needed and opens its reports: the HTML report and its texts too when
    /// `html` is set. Without it, texts and a report left by an earlier scan are removed, as
    /// they would describe another scan beside this one's files.
    pub fn open(dir: &Path, html: bool) -> Result<ReportDir> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let open = |name: &str| Output::open(&Destination::File(dir.join(name)));
        let outputs = REPORT_FILES
            .iter()
            .map(|name| open(name))
            .collect::<Result<Vec<_>>>()?;
        let report = match html {
            true => Some((open(HTML_REPORT_FILES[0])?, open(HTML_REPORT_FILES[1])?)),
            false => {
                for name in HTML_REPORT_FILES {
                    let path = dir.join(name);
                    match std::fs::remove_file(&path) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(Error::io(&path, e));
                        }
                        _ => {}
                    }
                }
                None
            }
        };
        Ok(ReportDir {
            dir: dir.to_path_buf(),
            outputs,
            report,
        })
    }

    /// The paths of the report files `open(dir, html)` writes.
    pub fn paths(dir: &Path, html: bool) -> Vec<PathBuf> {
        let extra: &[&str] = if html { &HTML_REPORT_FILES } else { &[] };
        REPORT_FILES
            .iter()
            .chain(extra)
            .map(|name| dir.join(name))
            .collect()
    }

    pub(super) fn into_parts(self) -> (PathBuf, Vec<Output>, Option<(Output, Output)>) {
        (self.dir, self.outputs, self.report)
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

    /// A named pipe stands for every special file (`/dev/null`, `/dev/stdout`): a test on
    /// `/dev/null` itself would, if this broke, replace the machine's device with a file.
    #[test]
    #[cfg(unix)]
    fn a_named_pipe_is_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        if !made.is_ok_and(|status| status.success()) {
            eprintln!("mkfifo is not available; skipped");
            return;
        }
        let reader = {
            let pipe = pipe.clone();
            std::thread::spawn(move || std::fs::read_to_string(pipe).unwrap())
        };
        let mut output = Output::open(&Destination::File(pipe.clone())).unwrap();
        output.write_all(b"through the pipe\n").unwrap();
        output.finish().unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe\n");
        let meta = std::fs::symlink_metadata(&pipe).unwrap();
        assert!(meta.file_type().is_fifo(), "the pipe is still a pipe");
    }

    #[test]
    #[cfg(unix)]
    fn a_symbolic_link_stays_and_its_target_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("sub").join("real.jsonl");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(&real, "old\n").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink("sub/real.jsonl", &link).unwrap();
        let mut output = Output::open(&Destination::File(link.clone())).unwrap();
        output.write_all(b"new\n").unwrap();
        output.finish().unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
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
