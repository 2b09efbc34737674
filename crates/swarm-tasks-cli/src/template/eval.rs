//! Runs a parsed template over [`Data`], with docker's template functions.

use super::data::Data;
use super::parse::{Arg, Node, Pipe};
use super::{Fields, TemplateError};

/// Keys whose values are times in docker's Go types, printed as Go prints a `time.Time`.
const TIME_KEYS: [&str; 3] = ["CreatedAt", "UpdatedAt", "Timestamp"];

/// What a pipeline yields: a value, a time (an RFC 3339 string that prints as Go's
/// `time.Time` does but stays RFC 3339 in `json`), or nothing.
#[derive(Debug, Clone)]
enum Value {
    Data(Data),
    Time(String),
    Missing,
}

impl Value {
    fn is_true(&self) -> bool {
        match self {
            Self::Data(data) => data.is_true(),
            Self::Time(_) => true,
            Self::Missing => false,
        }
    }

    fn into_data(self) -> Data {
        match self {
            Self::Data(data) => data,
            Self::Time(text) => Data::String(text),
            Self::Missing => Data::Null,
        }
    }

    fn print(&self, out: &mut String) {
        match self {
            Self::Data(data) => out.push_str(&data.to_string()),
            Self::Time(text) => out.push_str(&go_time(text)),
            Self::Missing => out.push_str("<no value>"),
        }
    }
}

/// One run of a template over one value.
pub struct Run<'a> {
    pub root: &'a Data,
    pub fields: Fields,
    pub vars: Vec<(String, Data)>,
}

impl Run<'_> {
    pub fn nodes(
        &mut self,
        nodes: &[Node],
        dot: &Data,
        out: &mut String,
    ) -> Result<(), TemplateError> {
        for node in nodes {
            match node {
                Node::Text(text) => out.push_str(text),
                Node::Action(pipe) => {
                    let value = self.pipe(pipe, dot)?;
                    if pipe.decl.is_empty() {
                        value.print(out);
                    }
                }
                Node::If(pipe, then, otherwise) => {
                    if self.pipe(pipe, dot)?.is_true() {
                        self.nodes(then, dot, out)?;
                    } else {
                        self.nodes(otherwise, dot, out)?;
                    }
                }
                Node::With(pipe, then, otherwise) => {
                    let value = self.pipe(pipe, dot)?;
                    if value.is_true() {
                        self.nodes(then, &value.into_data(), out)?;
                    } else {
                        self.nodes(otherwise, dot, out)?;
                    }
                }
                Node::Range(pipe, body, otherwise) => {
                    let items: Vec<(Data, Data)> = match self.pipe(pipe, dot)?.into_data() {
                        Data::Array(items) => items
                            .into_iter()
                            .enumerate()
                            .map(|(index, item)| (Data::Number(index.into()), item))
                            .collect(),
                        Data::Object(entries) => {
                            let mut entries = entries;
                            entries.sort_by(|a, b| a.0.cmp(&b.0));
                            entries
                                .into_iter()
                                .map(|(key, value)| (Data::String(key), value))
                                .collect()
                        }
                        Data::Null => Vec::new(),
                        other => {
                            return Err(
                                self.exec_error(pipe, format!("range can't iterate over {other}"))
                            );
                        }
                    };
                    if items.is_empty() {
                        self.nodes(otherwise, dot, out)?;
                    }
                    for (key, item) in items {
                        let depth = self.vars.len();
                        match pipe.decl.as_slice() {
                            [value] => self.vars.push((value.clone(), item.clone())),
                            [key_name, value] => {
                                self.vars.push((key_name.clone(), key));
                                self.vars.push((value.clone(), item.clone()));
                            }
                            _ => {}
                        }
                        self.nodes(body, &item, out)?;
                        self.vars.truncate(depth);
                    }
                }
            }
        }
        Ok(())
    }

    fn exec_error(&self, pipe: &Pipe, message: String) -> TemplateError {
        self.error_at(pipe.pos.0, pipe.pos.1, &pipe.text, message)
    }

    fn error_at(&self, line: usize, column: usize, what: &str, message: String) -> TemplateError {
        TemplateError::Exec {
            message: format!("template: :{line}:{column}: executing \"\" at <{what}>: {message}"),
        }
    }

    fn pipe(&mut self, pipe: &Pipe, dot: &Data) -> Result<Value, TemplateError> {
        let mut last: Option<Value> = None;
        for cmd in &pipe.cmds {
            last = Some(self.command(pipe, cmd, dot, last)?);
        }
        let value = last.unwrap_or(Value::Missing);
        if let [name] = pipe.decl.as_slice() {
            self.vars.push((name.clone(), value.clone().into_data()));
        }
        Ok(value)
    }

    fn command(
        &mut self,
        pipe: &Pipe,
        cmd: &[Arg],
        dot: &Data,
        piped: Option<Value>,
    ) -> Result<Value, TemplateError> {
        let Some(first) = cmd.first() else {
            return Err(self.exec_error(pipe, "empty command".into()));
        };
        if let Arg::Func(name) = first {
            let mut args = Vec::with_capacity(cmd.len());
            for arg in &cmd[1..] {
                args.push(self.arg(pipe, arg, dot)?);
            }
            if let Some(value) = piped {
                args.push(value);
            }
            return call(name, args).map_err(|message| self.exec_error(pipe, message));
        }
        if cmd.len() > 1 || piped.is_some() {
            return Err(self.exec_error(
                pipe,
                format!("can't give argument to non-function {}", pipe.text),
            ));
        }
        self.arg(pipe, first, dot)
    }

    fn arg(&mut self, pipe: &Pipe, arg: &Arg, dot: &Data) -> Result<Value, TemplateError> {
        match arg {
            Arg::Dot => Ok(Value::Data(dot.clone())),
            Arg::Field(path, column) => {
                let at = Place {
                    pipe,
                    column: *column,
                    text: format!(".{}", path.join(".")),
                };
                self.walk(&at, Value::Data(dot.clone()), path)
            }
            Arg::Var(name, path, column) => {
                let start = if name == "$" {
                    self.root.clone()
                } else {
                    match self.vars.iter().rev().find(|(var, _)| var == name) {
                        Some((_, value)) => value.clone(),
                        None => {
                            return Err(
                                self.exec_error(pipe, format!("undefined variable: {name}"))
                            );
                        }
                    }
                };
                let mut text = name.clone();
                for part in path {
                    text.push('.');
                    text.push_str(part);
                }
                let at = Place {
                    pipe,
                    column: *column,
                    text,
                };
                self.walk(&at, Value::Data(start), path)
            }
            Arg::Func(name) => {
                call(name, Vec::new()).map_err(|message| self.exec_error(pipe, message))
            }
            Arg::Str(text) => Ok(Value::Data(Data::String(text.clone()))),
            Arg::Num(number) => Ok(Value::Data(Data::Number(number.clone()))),
            Arg::Bool(value) => Ok(Value::Data(Data::Bool(*value))),
            Arg::Nil => Ok(Value::Data(Data::Null)),
            Arg::Sub(inner, path) => {
                let value = self.pipe(inner, dot)?;
                let at = Place {
                    pipe,
                    column: pipe.pos.1,
                    text: pipe.text.clone(),
                };
                self.walk(&at, value, path)
            }
        }
    }

    /// Follows `.A.B`. A key that is absent is an error, as in docker: rows have fixed
    /// fields (docker's structs), daemon objects are maps read with `missingkey=error`.
    fn walk(&self, at: &Place<'_>, start: Value, path: &[String]) -> Result<Value, TemplateError> {
        let fail = |message: String| {
            self.error_at(at.pipe.pos.0, at.pipe.pos.1 + at.column, &at.text, message)
        };
        let mut current = start;
        for name in path {
            let data = match current {
                Value::Data(data) => data,
                Value::Time(_) | Value::Missing => {
                    return Err(fail(format!(
                        "can't evaluate field {name} in type time.Time"
                    )));
                }
            };
            current = match (&data, data.get(name)) {
                (_, Some(Data::String(text))) if TIME_KEYS.contains(&name.as_str()) => {
                    Value::Time(text.clone())
                }
                (_, Some(value)) => Value::Data(value.clone()),
                (Data::Object(_), None) => {
                    return Err(fail(match self.fields {
                        Fields::Open => format!("map has no entry for key {name:?}"),
                        Fields::Fixed(type_name) => {
                            format!("can't evaluate field {name} in type {type_name}")
                        }
                    }));
                }
                (Data::Null, None) => {
                    return Err(fail(format!(
                        "nil pointer evaluating interface {{}}.{name}"
                    )));
                }
                (other, None) => {
                    return Err(fail(format!(
                        "can't evaluate field {name} in type {}",
                        other.kind()
                    )));
                }
            };
        }
        Ok(current)
    }
}

/// Where a field was written, for error messages.
struct Place<'a> {
    pipe: &'a Pipe,
    column: usize,
    text: String,
}

/// Go's `time.Time` text for an RFC 3339 time: `2024-05-01 12:00:00.5 +0000 UTC`.
fn go_time(text: &str) -> String {
    let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) else {
        return text.to_owned();
    };
    let utc = time.with_timezone(&chrono::Utc);
    let nanos = utc.timestamp_subsec_nanos();
    let fraction = if nanos == 0 {
        String::new()
    } else {
        format!(".{nanos:09}").trim_end_matches('0').to_owned()
    };
    format!("{}{fraction} +0000 UTC", utc.format("%Y-%m-%d %H:%M:%S"))
}

fn string_arg<'a>(name: &str, args: &'a [Value], index: usize) -> Result<&'a str, String> {
    match args.get(index) {
        Some(Value::Data(Data::String(text))) => Ok(text),
        Some(Value::Data(other)) => Err(format!(
            "error calling {name}: wrong type for value; expected string; got {}",
            other.kind()
        )),
        _ => Err(format!(
            "error calling {name}: wrong type for value; expected string; got nil"
        )),
    }
}

fn int_arg(name: &str, args: &[Value], index: usize) -> Result<i64, String> {
    match args.get(index) {
        Some(Value::Data(Data::Number(number))) => number
            .as_i64()
            .ok_or_else(|| format!("error calling {name}: expected an integer; got {number}")),
        _ => Err(format!(
            "error calling {name}: wrong type for value; expected int"
        )),
    }
}

fn arity(name: &str, args: &[Value], count: usize) -> Result<(), String> {
    if args.len() != count {
        return Err(format!(
            "wrong number of args for {name}: want {count} got {}",
            args.len()
        ));
    }
    Ok(())
}

/// Calls a template function: docker's (`json`, `split`, `join`, `title`, `lower`, `upper`,
/// `pad`, `truncate`) and Go's common built-ins.
fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let text = |value: String| Ok(Value::Data(Data::String(value)));
    match name {
        "json" => {
            arity(name, &args, 1)?;
            let data = args
                .into_iter()
                .next()
                .map(Value::into_data)
                .unwrap_or_default();
            text(data.to_json())
        }
        "upper" => {
            arity(name, &args, 1)?;
            text(string_arg(name, &args, 0)?.to_uppercase())
        }
        "lower" => {
            arity(name, &args, 1)?;
            text(string_arg(name, &args, 0)?.to_lowercase())
        }
        "title" => {
            arity(name, &args, 1)?;
            text(title(string_arg(name, &args, 0)?))
        }
        "split" => {
            arity(name, &args, 2)?;
            let source = string_arg(name, &args, 0)?;
            let separator = string_arg(name, &args, 1)?;
            let parts: Vec<Data> = if separator.is_empty() {
                source
                    .chars()
                    .map(|c| Data::String(c.to_string()))
                    .collect()
            } else {
                source
                    .split(separator)
                    .map(|part| Data::String(part.to_owned()))
                    .collect()
            };
            Ok(Value::Data(Data::Array(parts)))
        }
        "join" => {
            arity(name, &args, 2)?;
            let separator = string_arg(name, &args, 1)?;
            let Some(Value::Data(Data::Array(items))) = args.first() else {
                return Err("error calling join: wrong type for value; expected []string".into());
            };
            let parts: Result<Vec<&str>, String> = items
                .iter()
                .map(|item| {
                    item.as_str().ok_or_else(|| {
                        "error calling join: wrong type for value; expected []string".to_owned()
                    })
                })
                .collect();
            text(parts?.join(separator))
        }
        "truncate" => {
            arity(name, &args, 2)?;
            let source = string_arg(name, &args, 0)?;
            let length = usize::try_from(int_arg(name, &args, 1)?).unwrap_or(0);
            if source.len() < length {
                return text(source.to_owned());
            }
            let mut end = length;
            while !source.is_char_boundary(end) {
                end -= 1;
            }
            text(source[..end].to_owned())
        }
        "pad" => {
            arity(name, &args, 3)?;
            let source = string_arg(name, &args, 0)?;
            let prefix = usize::try_from(int_arg(name, &args, 1)?).unwrap_or(0);
            let suffix = usize::try_from(int_arg(name, &args, 2)?).unwrap_or(0);
            if source.is_empty() {
                return text(String::new());
            }
            text(format!(
                "{}{source}{}",
                " ".repeat(prefix),
                " ".repeat(suffix)
            ))
        }
        "print" | "println" => {
            let mut out = String::new();
            let mut previous_was_string = true;
            for (index, arg) in args.iter().enumerate() {
                let is_string = matches!(arg, Value::Data(Data::String(_)));
                if index > 0 && (name == "println" || (!is_string && !previous_was_string)) {
                    out.push(' ');
                }
                arg.print(&mut out);
                previous_was_string = is_string;
            }
            if name == "println" {
                out.push('\n');
            }
            text(out)
        }
        "len" => {
            arity(name, &args, 1)?;
            let length = match &args[0] {
                Value::Data(Data::String(text)) => text.len(),
                Value::Data(Data::Array(items)) => items.len(),
                Value::Data(Data::Object(entries)) => entries.len(),
                _ => return Err("error calling len: len of nil pointer".into()),
            };
            Ok(Value::Data(Data::Number(length.into())))
        }
        "index" => {
            let mut values = args.into_iter();
            let mut current = values.next().map(Value::into_data).unwrap_or_default();
            for key in values {
                current = match (current, key.into_data()) {
                    (Data::Array(items), Data::Number(number)) => {
                        let position = number.as_u64().and_then(|n| usize::try_from(n).ok());
                        match position.and_then(|n| items.get(n)) {
                            Some(item) => item.clone(),
                            None => {
                                return Err(format!(
                                    "error calling index: index out of range: {number}"
                                ));
                            }
                        }
                    }
                    (object @ Data::Object(_), Data::String(key)) => {
                        object.get(&key).cloned().unwrap_or_default()
                    }
                    (other, _) => {
                        return Err(format!(
                            "error calling index: can't index item of type {}",
                            other.kind()
                        ));
                    }
                };
            }
            Ok(Value::Data(current))
        }
        "not" => {
            arity(name, &args, 1)?;
            Ok(Value::Data(Data::Bool(!args[0].is_true())))
        }
        "and" | "or" => {
            let want = name == "or";
            let mut last = Value::Data(Data::Null);
            for arg in args {
                if arg.is_true() == want {
                    return Ok(arg);
                }
                last = arg;
            }
            Ok(last)
        }
        "eq" | "ne" => {
            if args.len() < 2 {
                return Err(format!(
                    "wrong number of args for {name}: want at least 2 got {}",
                    args.len()
                ));
            }
            let first = args[0].clone().into_data();
            let equal = args[1..]
                .iter()
                .any(|arg| same(&first, &arg.clone().into_data()));
            Ok(Value::Data(Data::Bool(equal == (name == "eq"))))
        }
        _ => Err(format!("function {name:?} not defined")),
    }
}

fn same(a: &Data, b: &Data) -> bool {
    match (a, b) {
        (Data::Number(x), Data::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Upper-cases the first letter of each word, leaving the rest as it is (docker's `title`).
fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at_word_start = true;
    for character in text.chars() {
        if at_word_start && character.is_alphabetic() {
            out.extend(character.to_uppercase());
        } else {
            out.push(character);
        }
        at_word_start = !(character.is_alphanumeric() || character == '\'');
    }
    out
}
