//! `--report FILE`: one CSV line per bad or differing row, written as they
//! are found, so memory stays flat however many there are.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use uuid::Uuid;

/// How many bad or differing rows are also printed to stderr when a report
/// file holds them all.
pub const PRINTED: u64 = 20;

pub struct Report {
    file: Option<(PathBuf, BufWriter<File>)>,
}

impl Report {
    pub fn open(path: Option<&Path>) -> anyhow::Result<Self> {
        let file = match path {
            None => None,
            Some(path) => {
                let mut file = BufWriter::new(
                    File::create(path)
                        .with_context(|| format!("creating the report {}", path.display()))?,
                );
                writeln!(file, "kind,id,detail")?;
                Some((path.to_owned(), file))
            }
        };
        Ok(Self { file })
    }

    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(path, _)| path.as_path())
    }

    /// `invalid`: a row that cannot be mapped; `differing`: a row already in
    /// the target that is not what the source maps to; `image_dropped`: a row
    /// copied without its legacy `image_url`, which is not a safe https link.
    pub fn line(&mut self, kind: &str, id: Uuid, detail: &str) -> anyhow::Result<()> {
        if let Some((_, file)) = &mut self.file {
            writeln!(file, "{kind},{id},\"{}\"", detail.replace('"', "\"\""))?;
        }
        Ok(())
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        if let Some((path, file)) = &mut self.file {
            file.flush()
                .with_context(|| format!("writing the report {}", path.display()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_csv_with_quoted_details() {
        let path = std::env::temp_dir().join(format!("report-{}.csv", Uuid::new_v4()));
        let id = Uuid::nil();
        let mut report = Report::open(Some(&path)).expect("open");
        report
            .line("invalid", id, "unknown status \"gone\", really")
            .expect("write");
        report.finish().expect("flush");
        let written = std::fs::read_to_string(&path).expect("read");
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            written,
            format!("kind,id,detail\ninvalid,{id},\"unknown status \"\"gone\"\", really\"\n")
        );
    }
}
