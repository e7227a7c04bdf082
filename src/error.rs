//! Error types. Every error names where it happened: a pattern file with line, column and rule id,
//! or an input path.

use std::fmt;
use std::path::PathBuf;

/// One problem in a pattern file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternDiagnostic {
    /// The file (or other origin) the rule came from.
    pub origin: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The id of the rule concerned, when known.
    pub rule_id: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PatternDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.origin, self.line, self.column)?;
        if let Some(id) = &self.rule_id {
            write!(f, "rule `{id}`: ")?;
        }
        f.write_str(&self.message)
    }
}

/// A pattern set could not be built; holds every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    diagnostics: Vec<PatternDiagnostic>,
}

impl PatternError {
    pub(crate) fn new(diagnostics: Vec<PatternDiagnostic>) -> Self {
        PatternError { diagnostics }
    }

    /// Every problem found.
    pub fn diagnostics(&self) -> &[PatternDiagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PatternError {}

/// An error of the command-line layer: reading, writing or walking files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read, written or walked.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The pattern set is invalid.
    #[error("{0}")]
    Patterns(#[from] PatternError),
    /// The input is not text dechrome can clean.
    #[error("{}: {message}", path.display())]
    Input {
        /// The path concerned.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A configuration file is invalid.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
