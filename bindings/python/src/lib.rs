//! Python bindings of dechrome: the native module `dechrome._dechrome`, re-exported by the
//! `dechrome` Python package.
//!
//! Python sees text as `str`; dechrome works on UTF-8 bytes. A string is cleaned as its UTF-8
//! encoding, and every removal's byte range is turned into offsets counted in Unicode scalar
//! values (what indexing a Python `str` counts), so `text[r.start:r.end]` is what the rule matched.
//! [`Cleaner::clean_batch`] releases the GIL and cleans on all cores with rayon.

use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;

use dechrome::{DEFAULT_MAX_REMOVAL, Outcome, PatternSetBuilder, Verdict};
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};
use rayon::prelude::*;

create_exception!(
    _dechrome,
    PatternError,
    pyo3::exceptions::PyValueError,
    "A pattern file is invalid; the message lists every problem with its file and line."
);

create_exception!(
    _dechrome,
    RefusedWarning,
    pyo3::exceptions::PyUserWarning,
    "Cleaner.clean returned a text unchanged because the removal guard refused it (see Cleaner.inspect)."
);

/// Turns a dechrome error into the matching Python exception.
fn to_py_err(e: dechrome::Error) -> PyErr {
    match e {
        dechrome::Error::Io { path, source } => {
            let errno = source.raw_os_error().unwrap_or(0);
            let message = source.to_string();
            // OSError(errno, strerror, filename) picks the subclass (FileNotFoundError...).
            PyOSError::new_err((errno, message, path.display().to_string()))
        }
        dechrome::Error::Patterns(p) => PatternError::new_err(p.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// Python's `repr` of a string.
fn repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(PyString::new(py, s).repr()?.to_string())
}

/// Builds a pattern set from the builder, the built-in rules first when asked.
fn build_set(
    builtin: bool,
    add: impl FnOnce(PatternSetBuilder) -> Result<PatternSetBuilder, dechrome::Error>,
    disable: Vec<String>,
) -> PyResult<PatternSet> {
    let mut b = PatternSetBuilder::new();
    if builtin {
        b = b.builtin();
    }
    b = add(b).map_err(to_py_err)?;
    for d in disable {
        b = b.disable(d);
    }
    let set = b
        .build()
        .map_err(|e| PatternError::new_err(e.to_string()))?;
    Ok(PatternSet { set })
}

/// A compiled, immutable set of rules.
#[pyclass(frozen, from_py_object, module = "dechrome")]
#[derive(Clone)]
pub struct PatternSet {
    set: dechrome::PatternSet,
}

#[pymethods]
impl PatternSet {
    /// The built-in pattern set, less the disabled rules, packs or families.
    #[staticmethod]
    #[pyo3(signature = (*, disable = Vec::new()))]
    fn builtin(disable: Vec<String>) -> PyResult<Self> {
        build_set(true, Ok, disable)
    }

    /// Rules from pattern files and directories of `*.toml` files, with the built-in rules too
    /// when `builtin` is true.
    #[staticmethod]
    #[pyo3(signature = (paths, *, builtin = false, disable = Vec::new()))]
    fn from_paths(paths: Vec<PathBuf>, builtin: bool, disable: Vec<String>) -> PyResult<Self> {
        build_set(
            builtin,
            |mut b| {
                for p in &paths {
                    b = b.add_path(p)?;
                }
                Ok(b)
            },
            disable,
        )
    }

    /// Rules from the text of one pattern file; `origin` names it in error messages.
    #[staticmethod]
    #[pyo3(signature = (source, *, origin = "<string>".to_string(), builtin = false, disable = Vec::new()))]
    fn from_toml(
        source: String,
        origin: String,
        builtin: bool,
        disable: Vec<String>,
    ) -> PyResult<Self> {
        build_set(builtin, |b| Ok(b.add_str(origin, source)), disable)
    }

    /// Every rule of the set, in the order of their files.
    fn rules(&self) -> Vec<Rule> {
        self.set
            .rules()
            .iter()
            .map(|r| Rule {
                id: r.id.clone(),
                family: r.family.clone(),
                scope: r.scope.as_str(),
                publisher: r.publisher.clone(),
                lang: r.lang.clone(),
                description: r.description.clone(),
            })
            .collect()
    }

    fn __len__(&self) -> usize {
        self.set.rules().len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<dechrome.PatternSet with {} rules>",
            self.set.rules().len()
        )
    }
}

/// One rule of a pattern set, as a read-only record.
#[pyclass(frozen, get_all, module = "dechrome")]
#[derive(Clone)]
pub struct Rule {
    /// Unique id, such as `independent.support-appeal.block`.
    id: String,
    /// The kind of chrome, such as `newsletter`.
    family: String,
    /// `line`, `sentence`, `block` or `tail`.
    scope: &'static str,
    /// The publisher the rule belongs to, if any.
    publisher: Option<String>,
    /// Language code of the phrases, if any.
    lang: Option<String>,
    /// What the rule catches and why.
    description: Option<String>,
}

#[pymethods]
impl Rule {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Rule(id={}, family={}, scope={})",
            repr(py, &self.id)?,
            repr(py, &self.family)?,
            repr(py, self.scope)?
        ))
    }
}

/// What one rule removed: `text[start:end]` of the original string.
#[pyclass(frozen, get_all, eq, hash, module = "dechrome")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Removal {
    /// The id of the rule responsible.
    rule_id: String,
    /// The rule's family.
    family: String,
    /// The rule's scope.
    scope: &'static str,
    /// First character removed (an index into the original `str`).
    start: usize,
    /// One past the last character removed.
    end: usize,
}

#[pymethods]
impl Removal {
    #[new]
    fn new(
        rule_id: String,
        family: String,
        scope: String,
        start: usize,
        end: usize,
    ) -> PyResult<Self> {
        let scope = dechrome::Scope::parse(&scope)
            .ok_or_else(|| PyValueError::new_err(format!("unknown scope {scope:?}")))?
            .as_str();
        Ok(Removal {
            rule_id,
            family,
            scope,
            start,
            end,
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Removal(rule_id={}, family={}, scope={}, start={}, end={})",
            repr(py, &self.rule_id)?,
            repr(py, &self.family)?,
            repr(py, self.scope)?,
            self.start,
            self.end
        ))
    }
}

/// The full result of cleaning one text.
#[pyclass(frozen, get_all, name = "Outcome", module = "dechrome")]
pub struct PyOutcome {
    /// The cleaned text (the input when unchanged or refused).
    text: String,
    /// Every removal; for a refused text, what the rules would have removed.
    removals: Vec<Removal>,
    /// `"unchanged"`, `"cleaned"` or `"refused"`.
    verdict: &'static str,
    /// Share of the text's characters the removals take (0 to 1).
    removed_share: f64,
    /// Why the text was refused, in the words the command line uses; `None` unless refused.
    message: Option<String>,
}

#[pymethods]
impl PyOutcome {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Outcome(verdict={}, removals={}, removed_share={:.3})",
            repr(py, self.verdict)?,
            self.removals.len(),
            self.removed_share
        ))
    }
}

/// A cleaned text in Rust form, made without the GIL.
struct Cleaned {
    text: String,
    removals: Vec<Removal>,
    verdict: Verdict,
    removed_share: f64,
    /// Why the text was refused (see [`dechrome::report::refusal`]); `None` unless refused.
    message: Option<String>,
}

/// Character offsets of sorted-or-not byte offsets into `text`, in one pass over the text.
fn char_offsets(text: &str, bytes: &[usize]) -> Vec<usize> {
    if text.is_ascii() {
        return bytes.to_vec();
    }
    let mut order: Vec<usize> = (0..bytes.len()).collect();
    order.sort_by_key(|&i| bytes[i]);
    let mut out = vec![0; bytes.len()];
    let (mut at, mut chars) = (0usize, 0usize);
    let b = text.as_bytes();
    for i in order {
        let target = bytes[i].min(b.len());
        while at < target {
            if (b[at] & 0xC0) != 0x80 {
                chars += 1;
            }
            at += 1;
        }
        out[i] = chars;
    }
    out
}

fn removals_of(text: &str, ranges: &[(Range<usize>, &dechrome::Rule)]) -> Vec<Removal> {
    let bytes: Vec<usize> = ranges.iter().flat_map(|(r, _)| [r.start, r.end]).collect();
    let chars = char_offsets(text, &bytes);
    ranges
        .iter()
        .enumerate()
        .map(|(i, (_, rule))| Removal {
            rule_id: rule.id.clone(),
            family: rule.family.clone(),
            scope: rule.scope.as_str(),
            start: chars[2 * i],
            end: chars[2 * i + 1],
        })
        .collect()
}

/// Cleans one string. Output that is not valid UTF-8 (which removals on character boundaries
/// cannot produce) is never returned: the text is then kept as it was, as for a refusal.
/// With `publisher`, only the packs it names apply (see [`dechrome::Cleaner::clean_for`]).
fn clean_str(cleaner: &dechrome::Cleaner, text: &str, publisher: Option<&str>) -> Cleaned {
    let outcome: Outcome<'_> = match publisher {
        Some(p) => cleaner.clean_for(text.as_bytes(), Some(p)),
        None => cleaner.clean(text.as_bytes()),
    };
    let ranges: Vec<(Range<usize>, &dechrome::Rule)> = outcome
        .removals
        .iter()
        .map(|r| (r.range.clone(), &*r.rule))
        .collect();
    let removals = removals_of(text, &ranges);
    let cleaned = match outcome.text {
        Cow::Borrowed(_) => Some(text.to_owned()),
        Cow::Owned(v) => String::from_utf8(v).ok(),
    };
    match cleaned {
        Some(t) => Cleaned {
            text: t,
            removals,
            verdict: outcome.verdict,
            removed_share: outcome.removed_share,
            message: dechrome::report::refusal(
                outcome.verdict,
                outcome.guarded_share,
                cleaner.max_removal(),
            ),
        },
        None => Cleaned {
            text: text.to_owned(),
            removals,
            verdict: Verdict::Refused,
            removed_share: outcome.removed_share,
            message: Some(dechrome::report::REFUSED_NOT_UTF8.to_owned()),
        },
    }
}

impl Cleaned {
    /// The `(text, removals)` pair of `Cleaner.clean`: removals actually made.
    fn into_pair(self, py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        let removals = if self.verdict == Verdict::Cleaned {
            self.removals
        } else {
            Vec::new()
        };
        let list = PyList::new(py, removals)?;
        PyTuple::new(
            py,
            [PyString::new(py, &self.text).into_any(), list.into_any()],
        )
    }
}

/// Cleans texts with one pattern set; share one across threads freely.
#[pyclass(frozen, module = "dechrome")]
pub struct Cleaner {
    inner: dechrome::Cleaner,
    patterns: PatternSet,
    /// Whether `clean` and `clean_batch` warn ([`RefusedWarning`]) for a refused text.
    warn: bool,
}

impl Cleaner {
    /// Emits a [`RefusedWarning`] for a refused text, unless told to ignore refusals.
    fn warn_refused(&self, py: Python<'_>, done: &Cleaned) -> PyResult<()> {
        if self.warn && done.verdict == Verdict::Refused {
            let category = py.get_type::<RefusedWarning>();
            // The words of every other refusal report (dechrome::report::refusal).
            let text = done.message.as_deref().unwrap_or("refused; left unchanged");
            let message = std::ffi::CString::new(text).expect("no NUL in the message");
            PyErr::warn(py, &category, &message, 1)?;
        }
        Ok(())
    }
}

/// The `model` argument of `Cleaner`: on or off, or a model file.
#[derive(FromPyObject)]
enum ModelArg {
    On(bool),
    File(std::path::PathBuf),
}

#[pymethods]
impl Cleaner {
    /// A cleaner with `patterns` (default: the built-in set) that refuses, leaving it as it was,
    /// a text whose removals would take more than `max_removal` of its characters.
    /// `on_refusal` is `"warn"` (a [`RefusedWarning`] per refused text from `clean` and
    /// `clean_batch`) or `"ignore"`. `publisher` (a pack name, a publisher name, a host or a URL)
    /// names the publisher of every text: only the packs it names apply; a name that names no
    /// pack is a `ValueError` listing the packs.
    #[new]
    /// `model` runs a line model after the rules: `None` or `False` (none, the default), `True`
    /// (the built-in one) or the path of a model file.
    #[pyo3(signature = (patterns = None, max_removal = None, *, on_refusal = "warn", publisher = None, model = None))]
    fn new(
        patterns: Option<PatternSet>,
        max_removal: Option<f64>,
        on_refusal: &str,
        publisher: Option<&str>,
        model: Option<ModelArg>,
    ) -> PyResult<Self> {
        let warn = match on_refusal {
            "warn" => true,
            "ignore" => false,
            other => {
                return Err(PyValueError::new_err(format!(
                    "on_refusal must be \"warn\" or \"ignore\", got {other:?}"
                )));
            }
        };
        let max_removal = max_removal.unwrap_or(DEFAULT_MAX_REMOVAL);
        if !(0.0..=1.0).contains(&max_removal) {
            return Err(PyValueError::new_err(format!(
                "max_removal must be between 0 and 1, got {max_removal}"
            )));
        }
        let patterns = match patterns {
            Some(p) => p,
            None => PatternSet::builtin(Vec::new())?,
        };
        let model = match model.unwrap_or(ModelArg::On(false)) {
            ModelArg::On(false) => None,
            ModelArg::On(true) => Some(dechrome::model::Model::builtin()),
            ModelArg::File(path) => Some(
                dechrome::model::Model::load(&path)
                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
            ),
        };
        let inner = dechrome::Cleaner::new(patterns.set.clone())
            .with_max_removal(max_removal)
            .with_publisher(publisher)
            .map_err(|e| PyValueError::new_err(e.to_string()))?
            .with_model(model);
        Ok(Cleaner {
            inner,
            patterns,
            warn,
        })
    }

    /// The share of a text's characters above which cleaning is refused.
    #[getter]
    fn max_removal(&self) -> f64 {
        self.inner.max_removal()
    }

    /// The publisher named for every text, or None (each text's signatures choose).
    #[getter]
    fn publisher(&self) -> Option<&str> {
        self.inner.publisher()
    }

    /// Whether a line model runs after the rules.
    #[getter]
    fn model(&self) -> bool {
        self.inner.model().is_some()
    }

    /// What `clean` does about a refused text: `"warn"` or `"ignore"`.
    #[getter]
    fn on_refusal(&self) -> &'static str {
        if self.warn { "warn" } else { "ignore" }
    }

    /// The pattern set in use.
    #[getter]
    fn patterns(&self) -> PatternSet {
        self.patterns.clone()
    }

    /// Cleans one text: `(cleaned_text, removals)`. A refused text comes back unchanged, with no
    /// removals, and a [`RefusedWarning`] (unless `on_refusal="ignore"`). `publisher` names this
    /// text's publisher (such as its URL) in place of the cleaner's; one that names no pack means
    /// no pack applies.
    #[pyo3(signature = (text, *, publisher = None))]
    fn clean<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        publisher: Option<&str>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let s = text.to_str()?;
        let done = py.detach(|| clean_str(&self.inner, s, publisher));
        self.warn_refused(py, &done)?;
        done.into_pair(py)
    }

    /// Cleans one text and tells everything: text, removals (also those a refusal left in place),
    /// verdict, removed share and, for a refused text, why (worded as `dechrome clean` words it).
    /// `publisher` as for `clean`.
    #[pyo3(signature = (text, *, publisher = None))]
    fn inspect(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        publisher: Option<&str>,
    ) -> PyResult<PyOutcome> {
        let s = text.to_str()?;
        let done = py.detach(|| clean_str(&self.inner, s, publisher));
        Ok(PyOutcome {
            text: done.text,
            removals: done.removals,
            verdict: done.verdict.as_str(),
            removed_share: done.removed_share,
            message: done.message,
        })
    }

    /// Cleans many texts in parallel, without the GIL: a list of `(cleaned_text, removals)`
    /// pairs, in input order. `publishers`, when given, holds one publisher per text (a str as
    /// `clean` takes it; None or a blank str for the cleaner's), as long as `texts`.
    #[pyo3(signature = (texts, *, publishers = None))]
    fn clean_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        publishers: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        if texts.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "clean_batch takes a sequence of str, not one str (use clean)",
            ));
        }
        let items: Vec<Bound<'py, PyAny>> = texts.try_iter()?.collect::<PyResult<_>>()?;
        let mut strs: Vec<&str> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let s = item.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "clean_batch: item {i} is {}, not str",
                    item.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            strs.push(s.to_str()?);
        }
        let names = match publishers {
            None => vec![None; strs.len()],
            Some(p) => batch_publishers(p, strs.len())?,
        };
        let inner = &self.inner;
        let done: Vec<Cleaned> = py.detach(|| {
            strs.par_iter()
                .zip(&names)
                .map(|(s, p)| clean_str(inner, s, p.as_deref()))
                .collect()
        });
        for d in &done {
            self.warn_refused(py, d)?;
        }
        let pairs = done
            .into_iter()
            .map(|d| d.into_pair(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, pairs)
    }

    fn __repr__(&self) -> String {
        format!(
            "<dechrome.Cleaner with {} rules, max_removal={}>",
            self.patterns.set.rules().len(),
            self.inner.max_removal()
        )
    }
}

/// The per-text publishers of `clean_batch`: a sequence of str or None, one per text.
fn batch_publishers(publishers: &Bound<'_, PyAny>, texts: usize) -> PyResult<Vec<Option<String>>> {
    if publishers.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "clean_batch: publishers is a sequence with one str or None per text, not one str \
             (name one publisher for every text with Cleaner(publisher=...))",
        ));
    }
    let mut out = Vec::with_capacity(texts);
    for (i, item) in publishers.try_iter()?.enumerate() {
        let item = item?;
        if item.is_none() {
            out.push(None);
            continue;
        }
        let s = item.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "clean_batch: publishers item {i} is {}, not str or None",
                item.get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ))
        })?;
        let s = s.to_str()?;
        out.push((!s.trim().is_empty()).then(|| s.to_owned()));
    }
    if out.len() != texts {
        return Err(PyValueError::new_err(format!(
            "clean_batch: {} publishers for {texts} texts",
            out.len()
        )));
    }
    Ok(out)
}

/// The native module; the `dechrome` package re-exports it.
#[pymodule]
fn _dechrome(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PatternSet>()?;
    m.add_class::<Rule>()?;
    m.add_class::<Removal>()?;
    m.add_class::<PyOutcome>()?;
    m.add_class::<Cleaner>()?;
    m.add("PatternError", m.py().get_type::<PatternError>())?;
    m.add("RefusedWarning", m.py().get_type::<RefusedWarning>())?;
    m.add("DEFAULT_MAX_REMOVAL", DEFAULT_MAX_REMOVAL)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
