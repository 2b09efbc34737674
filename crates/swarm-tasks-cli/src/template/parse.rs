//! Go template text to a tree: `{{...}}` actions between text, with `{{-`/`-}}` trimming,
//! pipelines, function calls, `if`/`else`/`range`/`with`/`end` and `$` variables.

use super::TemplateError;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text printed as is.
    Text(String),
    /// `{{pipeline}}`: prints the value.
    Action(Pipe),
    /// `{{if}}...{{else}}...{{end}}`.
    If(Pipe, Vec<Node>, Vec<Node>),
    /// `{{range}}...{{else}}...{{end}}`.
    Range(Pipe, Vec<Node>, Vec<Node>),
    /// `{{with}}...{{else}}...{{end}}`.
    With(Pipe, Vec<Node>, Vec<Node>),
}

/// `$a, $b := cmd | cmd`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipe {
    /// Variables declared (`range $k, $v := ...`).
    pub decl: Vec<String>,
    /// Commands; each one's value is the last argument of the next.
    pub cmds: Vec<Vec<Arg>>,
    /// The action's text, for error messages (`<.Foo>`).
    pub text: String,
    /// Line and column of the action.
    pub pos: (usize, usize),
}

/// One operand of a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// `.`
    Dot,
    /// `.A.B`, and the column of its last `.` within the action (for error messages).
    Field(Vec<String>, usize),
    /// `$x.A.B` (`$` alone is the data the template started with), and the column.
    Var(String, Vec<String>, usize),
    /// A function name.
    Func(String),
    /// A string literal.
    Str(String),
    /// A number literal.
    Num(serde_json::Number),
    /// `true` / `false`.
    Bool(bool),
    /// `nil`
    Nil,
    /// `(pipeline).A.B`
    Sub(Box<Pipe>, Vec<String>),
}

/// Parses template text.
pub fn parse(source: &str) -> Result<Vec<Node>, TemplateError> {
    let items = split(source)?;
    let mut parser = Parser { items, next: 0 };
    let (nodes, end) = parser.list()?;
    match end {
        Stop::Eof => Ok(nodes),
        Stop::End(pos) => Err(TemplateError::parse(pos.0, "unexpected {{end}}")),
        Stop::Else(pos, _) => Err(TemplateError::parse(pos.0, "unexpected {{else}}")),
    }
}

/// Text or the inside of an action, with the action's position.
enum Item {
    Text(String),
    Action(String, (usize, usize)),
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1);
    (line, col)
}

/// Splits the source into text and actions, applying `{{- ` and ` -}}` trimming.
fn split(source: &str) -> Result<Vec<Item>, TemplateError> {
    let mut items = Vec::new();
    let mut rest = 0;
    let mut trim_next = false;
    while let Some(found) = source[rest..].find("{{") {
        let open = rest + found;
        let mut text = &source[rest..open];
        if trim_next {
            text = text.trim_start();
        }
        let mut inner_start = open + 2;
        if source[inner_start..].starts_with("- ") {
            text = text.trim_end();
            inner_start += 2;
        }
        if !text.is_empty() {
            items.push(Item::Text(text.to_owned()));
        }
        let Some(close) = find_close(source, inner_start) else {
            // Go's lexer reports a stray character before it notices the missing `}}`.
            let line = line_col(source, open).0;
            lex(&source[inner_start..], line)?;
            return Err(TemplateError::parse(line, "unclosed action"));
        };
        let mut inner_end = close;
        trim_next = false;
        if source[..close].ends_with(" -") {
            inner_end -= 2;
            trim_next = true;
        }
        let pos = line_col(source, inner_start);
        items.push(Item::Action(
            source[inner_start..inner_end.max(inner_start)].to_owned(),
            pos,
        ));
        rest = close + 2;
    }
    let mut text = &source[rest..];
    if trim_next {
        text = text.trim_start();
    }
    if !text.is_empty() {
        items.push(Item::Text(text.to_owned()));
    }
    Ok(items)
}

/// The offset of the `}}` that closes an action starting at `from`, skipping string literals.
fn find_close(source: &str, from: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    let mut index = from;
    while index < bytes.len() {
        match bytes[index] {
            b'"' => {
                index += 1;
                while index < bytes.len() && bytes[index] != b'"' {
                    index += if bytes[index] == b'\\' { 2 } else { 1 };
                }
            }
            b'`' => {
                index += 1;
                while index < bytes.len() && bytes[index] != b'`' {
                    index += 1;
                }
            }
            b'}' if bytes.get(index + 1) == Some(&b'}') => return Some(index),
            _ => {}
        }
        index += 1;
    }
    None
}

/// Tokens inside an action.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Arg(Arg),
    Ident(String),
    Open,
    Close,
    Pipe,
    Declare,
    Comma,
    /// `.A.B` right after `)`.
    Fields(Vec<String>),
}

fn lex(text: &str, line: usize) -> Result<Vec<Token>, TemplateError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    let error = |message: String| TemplateError::parse(line, message);
    while index < chars.len() {
        let character = chars[index];
        match character {
            ' ' | '\t' | '\n' | '\r' => index += 1,
            '(' => {
                tokens.push(Token::Open);
                index += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                index += 1;
            }
            '|' => {
                tokens.push(Token::Pipe);
                index += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                index += 1;
            }
            ':' if chars.get(index + 1) == Some(&'=') => {
                tokens.push(Token::Declare);
                index += 2;
            }
            '"' => {
                let start = index;
                index += 1;
                while index < chars.len() && chars[index] != '"' {
                    index += if chars[index] == '\\' { 2 } else { 1 };
                }
                if index >= chars.len() {
                    return Err(error("unterminated quoted string".into()));
                }
                index += 1;
                let literal: String = chars[start..index].iter().collect();
                let value: String = serde_json::from_str(&literal)
                    .map_err(|_| error(format!("bad string syntax: {literal}")))?;
                tokens.push(Token::Arg(Arg::Str(value)));
            }
            '`' => {
                let start = index + 1;
                index = start;
                while index < chars.len() && chars[index] != '`' {
                    index += 1;
                }
                if index >= chars.len() {
                    return Err(error("unterminated raw quoted string".into()));
                }
                tokens.push(Token::Arg(Arg::Str(chars[start..index].iter().collect())));
                index += 1;
            }
            '.' | '$' => {
                let start = index;
                index += 1;
                while index < chars.len() && (is_word(chars[index]) || chars[index] == '.') {
                    index += 1;
                }
                let word: String = chars[start..index].iter().collect();
                let after_close = tokens.last() == Some(&Token::Close);
                tokens.push(field_token(&word, start, after_close).map_err(error)?);
            }
            c if c.is_ascii_digit() || c == '-' || c == '+' => {
                let start = index;
                index += 1;
                while index < chars.len()
                    && (chars[index].is_ascii_alphanumeric() || chars[index] == '.')
                {
                    index += 1;
                }
                let word: String = chars[start..index].iter().collect();
                let number: serde_json::Number = word
                    .trim_start_matches('+')
                    .parse()
                    .map_err(|_| error(format!("bad number syntax: {word:?}")))?;
                tokens.push(Token::Arg(Arg::Num(number)));
            }
            c if is_word(c) => {
                let start = index;
                while index < chars.len() && is_word(chars[index]) {
                    index += 1;
                }
                let word: String = chars[start..index].iter().collect();
                tokens.push(match word.as_str() {
                    "true" => Token::Arg(Arg::Bool(true)),
                    "false" => Token::Arg(Arg::Bool(false)),
                    "nil" => Token::Arg(Arg::Nil),
                    _ => Token::Ident(word),
                });
            }
            other => {
                return Err(error(format!(
                    "bad character U+{:04X} '{other}'",
                    u32::from(other)
                )));
            }
        }
    }
    Ok(tokens)
}

fn is_word(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

fn field_token(word: &str, start: usize, after_close: bool) -> Result<Token, String> {
    if word == "." {
        return Ok(Token::Arg(Arg::Dot));
    }
    // Go reports a chain at its last field.
    let column = start
        + word
            .rfind('.')
            .filter(|_| !word.starts_with('$') || word.contains('.'))
            .unwrap_or(0);
    let (head, path) = if let Some(rest) = word.strip_prefix('$') {
        let mut parts = rest.split('.');
        let name = parts.next().unwrap_or_default();
        (
            Some(format!("${name}")),
            parts.map(str::to_owned).collect::<Vec<_>>(),
        )
    } else {
        (None, word[1..].split('.').map(str::to_owned).collect())
    };
    if path.iter().any(|part| part.is_empty()) {
        return Err(format!("unexpected . after term {word:?}"));
    }
    Ok(match head {
        Some(name) => Token::Arg(Arg::Var(name, path, column)),
        None if after_close => Token::Fields(path),
        None => Token::Arg(Arg::Field(path, column)),
    })
}

/// How a list of nodes ended.
enum Stop {
    Eof,
    End((usize, usize)),
    /// `{{else}}` or `{{else if ...}}` (the tokens after `else`).
    Else((usize, usize), Vec<Token>),
}

struct Parser {
    items: Vec<Item>,
    next: usize,
}

impl Parser {
    fn list(&mut self) -> Result<(Vec<Node>, Stop), TemplateError> {
        let mut nodes = Vec::new();
        while self.next < self.items.len() {
            let index = self.next;
            self.next += 1;
            let (text, pos) = match &self.items[index] {
                Item::Text(text) => {
                    nodes.push(Node::Text(text.clone()));
                    continue;
                }
                Item::Action(text, pos) => (text.clone(), *pos),
            };
            let mut tokens = lex(&text, pos.0)?;
            let keyword = match tokens.first() {
                Some(Token::Ident(word)) => word.clone(),
                None => return Err(TemplateError::parse(pos.0, "missing value for command")),
                _ => String::new(),
            };
            match keyword.as_str() {
                "end" => return Ok((nodes, Stop::End(pos))),
                "else" => {
                    tokens.remove(0);
                    return Ok((nodes, Stop::Else(pos, tokens)));
                }
                "if" | "range" | "with" => {
                    tokens.remove(0);
                    nodes.push(self.block(&keyword, tokens, &text, pos)?);
                }
                _ => nodes.push(Node::Action(pipe(tokens, &text, pos)?)),
            }
        }
        Ok((nodes, Stop::Eof))
    }

    fn block(
        &mut self,
        keyword: &str,
        tokens: Vec<Token>,
        text: &str,
        pos: (usize, usize),
    ) -> Result<Node, TemplateError> {
        let condition = pipe(tokens, text, pos)?;
        let (body, end) = self.list()?;
        let otherwise = match end {
            Stop::Eof => {
                return Err(TemplateError::parse(
                    pos.0,
                    format!("unexpected EOF: {{{{{keyword}}}}} has no {{{{end}}}}"),
                ));
            }
            Stop::End(_) => Vec::new(),
            Stop::Else(else_pos, rest) if rest.is_empty() => {
                let (otherwise, end) = self.list()?;
                if !matches!(end, Stop::End(_)) {
                    return Err(TemplateError::parse(
                        else_pos.0,
                        "expected end; found else or EOF",
                    ));
                }
                otherwise
            }
            Stop::Else(else_pos, mut rest) => {
                // `{{else if x}}`: an if inside the else branch, ending at the same {{end}}.
                if rest.first() != Some(&Token::Ident("if".into())) || keyword != "if" {
                    return Err(TemplateError::parse(
                        else_pos.0,
                        "unexpected tokens after else",
                    ));
                }
                rest.remove(0);
                vec![self.block("if", rest, text, else_pos)?]
            }
        };
        Ok(match keyword {
            "if" => Node::If(condition, body, otherwise),
            "range" => Node::Range(condition, body, otherwise),
            _ => Node::With(condition, body, otherwise),
        })
    }
}

/// Parses the tokens of one pipeline.
fn pipe(tokens: Vec<Token>, text: &str, pos: (usize, usize)) -> Result<Pipe, TemplateError> {
    let mut tokens = tokens.into_iter().peekable();
    let mut decl = Vec::new();
    // `$a, $b :=`
    let lookahead: Vec<Token> = tokens.clone().collect();
    if let Some(declare_at) = lookahead.iter().position(|token| *token == Token::Declare) {
        for token in lookahead[..declare_at].iter() {
            match token {
                Token::Arg(Arg::Var(name, path, _)) if path.is_empty() => decl.push(name.clone()),
                Token::Comma => {}
                _ => return Err(TemplateError::parse(pos.0, "bad variable declaration")),
            }
        }
        for _ in 0..=declare_at {
            tokens.next();
        }
    }
    let mut rest: Vec<Token> = tokens.collect();
    let cmds = commands(&mut rest, pos.0)?;
    if !rest.is_empty() {
        return Err(TemplateError::parse(pos.0, "unexpected ) in operand"));
    }
    if cmds.is_empty() {
        return Err(TemplateError::parse(pos.0, "missing value for command"));
    }
    Ok(Pipe {
        decl,
        cmds,
        text: text.trim().to_owned(),
        pos,
    })
}

/// Commands separated by `|`, up to a `)` or the end (left in `tokens`).
fn commands(tokens: &mut Vec<Token>, line: usize) -> Result<Vec<Vec<Arg>>, TemplateError> {
    let mut cmds = Vec::new();
    let mut current = Vec::new();
    while !tokens.is_empty() {
        let token = tokens.remove(0);
        match token {
            Token::Close => {
                tokens.insert(0, Token::Close);
                break;
            }
            Token::Pipe => {
                if current.is_empty() {
                    return Err(TemplateError::parse(line, "missing command before |"));
                }
                cmds.push(std::mem::take(&mut current));
            }
            Token::Open => {
                let inner = commands(tokens, line)?;
                if tokens.first() != Some(&Token::Close) {
                    return Err(TemplateError::parse(line, "unclosed left paren"));
                }
                tokens.remove(0);
                let fields = match tokens.first() {
                    Some(Token::Fields(fields)) => fields.clone(),
                    _ => Vec::new(),
                };
                if !fields.is_empty() {
                    tokens.remove(0);
                }
                let sub = Pipe {
                    decl: Vec::new(),
                    cmds: inner,
                    text: String::new(),
                    pos: (line, 0),
                };
                current.push(Arg::Sub(Box::new(sub), fields));
            }
            Token::Ident(name) => {
                if [
                    "if", "else", "end", "range", "with", "define", "template", "block",
                ]
                .contains(&name.as_str())
                {
                    return Err(TemplateError::parse(
                        line,
                        format!("unexpected <{name}> in command"),
                    ));
                }
                current.push(Arg::Func(name));
            }
            Token::Arg(arg) => current.push(arg),
            Token::Declare | Token::Comma | Token::Fields(_) => {
                return Err(TemplateError::parse(line, "unexpected token in operand"));
            }
        }
    }
    if !current.is_empty() {
        cmds.push(current);
    } else if !cmds.is_empty() {
        return Err(TemplateError::parse(line, "missing command after |"));
    }
    Ok(cmds)
}
