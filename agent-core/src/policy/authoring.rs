//! The hand-written TOML format and its compiler.
//!
//! The TOML has exactly the shape of the compiled JSON document (so there is one model and one set
//! of checks), written the way TOML reads best: `[default]`, `[publishers.<id>]`, `[[tiers]]`,
//! `[[rules]]` with a `[rules.match]` table, `[[exceptions]]`. Every problem is reported with the
//! file, line and column of the value at fault.

use std::fmt;

use toml::de::{DeTable, DeValue};

use super::Policy;
use super::validate::{Problem, Segment, expired_exceptions, validate};
use crate::time::Timestamp;

/// A problem in an authored policy, located in its file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LocatedProblem {
    /// The file as the administrator named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Where in the document (`rules[2].match.signers[0]`), when known.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LocatedProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// All the problems of one authored policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileErrors(pub Vec<LocatedProblem>);

impl fmt::Display for CompileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CompileErrors {}

/// Compiles an authored TOML policy into the document that gets signed. `file` names the source in
/// messages; `now` is the time against which exception expiries are checked (an exception that has
/// already ended is an authoring mistake).
pub fn compile(file: &str, source: &str, now: Timestamp) -> Result<Policy, CompileErrors> {
    check(file, source, Some(now))
}

/// Parses and validates an authored policy without judging expiries: what a device does with a
/// policy whose exceptions run out while it is in force.
pub fn parse(file: &str, source: &str) -> Result<Policy, CompileErrors> {
    check(file, source, None)
}

fn check(file: &str, source: &str, now: Option<Timestamp>) -> Result<Policy, CompileErrors> {
    let locate = |span: Option<std::ops::Range<usize>>, path: String, message: String| {
        let (line, column) = line_column(source, span.map_or(0, |s| s.start));
        LocatedProblem {
            file: file.to_string(),
            line,
            column,
            path,
            message,
        }
    };
    let mut policy: Policy = match toml::from_str(source) {
        Ok(policy) => policy,
        Err(e) => {
            // The parser stops at the first value of the wrong shape; judging each rule,
            // publisher, exception and section on its own finds the others in the same run.
            let each = item_problems(source);
            if !each.is_empty() {
                return Err(CompileErrors(locate_problems(file, source, each, true)));
            }
            let message = e.message().trim().replace('\n', " ");
            let span = e
                .span()
                .map(|span| narrow_to_quoted_value(source, span, &message));
            return Err(CompileErrors(vec![locate(span, String::new(), message)]));
        }
    };
    policy.normalise();
    let mut problems = validate(&policy).err().unwrap_or_default();
    if let Some(now) = now {
        problems.extend(expired_exceptions(&policy, now));
    }
    if problems.is_empty() {
        return Ok(policy);
    }
    Err(CompileErrors(locate_all(file, source, problems)))
}

/// Locates problems by the spans of their paths; `narrow` points inside the span at the value a
/// message quotes (a parser's message about one element of a list).
fn locate_problems(
    file: &str,
    source: &str,
    problems: Vec<Problem>,
    narrow: bool,
) -> Vec<LocatedProblem> {
    let tree = DeTable::parse(source)
        .ok()
        .map(|t| DeValue::Table(t.into_inner()));
    problems
        .into_iter()
        .map(|p: Problem| {
            let span = tree.as_ref().and_then(|t| span_of(t, &p.path));
            let span = match (span, narrow) {
                // A table's span may be its header only: look through its body, up to the next
                // header, for the value the message quotes.
                (Some(s), true) => {
                    let body_end = source
                        .get(s.end..)
                        .and_then(|rest| rest.find("\n["))
                        .map_or(source.len(), |i| s.end + i);
                    let narrowed = narrow_to_quoted_value(source, s.start..body_end, &p.message);
                    Some(if narrowed == (s.start..body_end) {
                        s
                    } else {
                        narrowed
                    })
                }
                (s, _) => s,
            };
            let (line, column) = line_column(source, span.map_or(0, |s| s.start));
            LocatedProblem {
                file: file.to_string(),
                line,
                column,
                path: p.path_text(),
                message: p.message,
            }
        })
        .collect()
}

/// Warnings for an authored policy that compiles: rules that could match system apps without
/// naming them, and an allow-list that would act on a configured EMM's companion apps (`emm`).
/// Each is located like an error; `policy check --strict` treats them as errors.
pub fn warnings(
    file: &str,
    source: &str,
    emm: &[String],
) -> Result<Vec<LocatedProblem>, CompileErrors> {
    let policy = parse(file, source)?;
    Ok(locate_all(
        file,
        source,
        super::careless::careless(&policy, emm),
    ))
}

/// The problems of each item of a document whose whole does not deserialise: every rule, tier,
/// exception and publisher, and the `[default]`, `[device]` and `[report]` sections, each read on
/// its own. Empty when the syntax is broken or the problem is not inside one item.
fn item_problems(source: &str) -> Vec<Problem> {
    use super::{DefaultDecision, Exception, Publisher, Rule, Tier};
    fn one<T: serde::de::DeserializeOwned>(
        value: &toml::Value,
        path: Vec<Segment>,
        out: &mut Vec<Problem>,
    ) {
        if let Err(e) = value.clone().try_into::<T>() {
            let message = e.message().trim().replace('\n', " ");
            // The located span is narrowed to what the message quotes: the unknown field's key,
            // the value of the wrong shape.
            out.push(Problem { path, message });
        }
    }
    fn list<T: serde::de::DeserializeOwned>(
        value: &toml::Value,
        key: &str,
        out: &mut Vec<Problem>,
    ) {
        if let Some(items) = value.as_array() {
            for (i, item) in items.iter().enumerate() {
                one::<T>(item, vec![Segment::Key(key.into()), Segment::Index(i)], out);
            }
        }
    }
    let Ok(table) = source.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in &table {
        match key.as_str() {
            "rules" => list::<Rule>(value, key, &mut out),
            "tiers" => list::<Tier>(value, key, &mut out),
            "exceptions" => list::<Exception>(value, key, &mut out),
            "publishers" => {
                if let Some(map) = value.as_table() {
                    for (id, p) in map {
                        one::<Publisher>(
                            p,
                            vec![Segment::Key(key.clone()), Segment::Key(id.clone())],
                            &mut out,
                        );
                    }
                }
            }
            "default" => one::<DefaultDecision>(value, vec![Segment::Key(key.clone())], &mut out),
            "device" => one::<crate::hardening::DeviceSettings>(
                value,
                vec![Segment::Key(key.clone())],
                &mut out,
            ),
            "report" => one::<crate::report_words::ReportSettings>(
                value,
                vec![Segment::Key(key.clone())],
                &mut out,
            ),
            _ => {}
        }
    }
    out
}

/// Locates problems of a document that parses, by the spans of their paths.
fn locate_all(file: &str, source: &str, problems: Vec<Problem>) -> Vec<LocatedProblem> {
    locate_problems(file, source, problems, false)
}

/// The parser reports a bad element of an array at the array; when the message quotes the bad
/// value (`\`0fe4ff85\` is not a SHA-256 …`), point at that value inside the span instead.
fn narrow_to_quoted_value(
    source: &str,
    span: std::ops::Range<usize>,
    message: &str,
) -> std::ops::Range<usize> {
    let quoted = message.split('`').nth(1).filter(|q| !q.is_empty());
    let within = source.get(span.clone());
    match (quoted, within) {
        (Some(q), Some(text)) => match text.find(q) {
            Some(at) => span.start + at..span.start + at + q.len(),
            None => span,
        },
        _ => span,
    }
}

/// The span of the deepest value along `path` that exists in the document.
fn span_of(root: &DeValue<'_>, path: &[Segment]) -> Option<std::ops::Range<usize>> {
    let mut current = root;
    let mut span = None;
    for seg in path {
        let next = match seg {
            Segment::Key(k) => current.get(k.as_str()),
            Segment::Index(i) => current.get(*i),
        };
        match next {
            Some(value) => {
                span = Some(value.span());
                current = value.get_ref();
            }
            None => break,
        }
    }
    span
}

fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
