//! Reading expressions: tokens and a precedence-climbing parser into an untyped tree whose
//! nodes remember where they came from, so every error can point at its column.
//!
//! Over 500 lines because it is one grammar: the tokenizer and the parser of the rule language
//! read best side by side.

use super::types::{Code, Value, SATANG_PER_BAHT, SQ_WA_PER_RAI};
use chrono::NaiveDate;

/// A problem at a byte offset of the expression text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

fn error<T>(offset: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError {
        offset,
        message: message.into(),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(i64),
    Date(NaiveDate),
    Text(String),
    Name(String),
    Op(&'static str),
}

fn tokenize(source: &str) -> Result<Vec<(usize, Token)>, SyntaxError> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
                i += 1;
            }
            // 2024-01-15 is a date, not a subtraction.
            let looks_like_date = i - start == 4
                && source.len() >= start + 10
                && bytes[start + 4] == b'-'
                && bytes[start + 7] == b'-'
                && source[start + 5..start + 7]
                    .bytes()
                    .all(|b| b.is_ascii_digit())
                && source[start + 8..start + 10]
                    .bytes()
                    .all(|b| b.is_ascii_digit());
            if looks_like_date {
                let text = &source[start..start + 10];
                let date =
                    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| SyntaxError {
                        offset: start,
                        message: format!("`{text}` is not a real date"),
                    })?;
                tokens.push((start, Token::Date(date)));
                i = start + 10;
            } else {
                let digits: String = source[start..i].chars().filter(|c| *c != '_').collect();
                let number = digits.parse::<i64>().map_err(|_| SyntaxError {
                    offset: start,
                    message: format!("`{digits}` is too large a number"),
                })?;
                tokens.push((start, Token::Number(number)));
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            tokens.push((start, Token::Name(source[start..i].to_owned())));
        } else if c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += 1;
            }
            if i >= bytes.len() {
                return error(start, "this text has no closing quote `\"`");
            }
            tokens.push((start, Token::Text(source[start + 1..i].to_owned())));
            i += 1;
        } else {
            const OPERATORS: [&str; 15] = [
                "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",",
            ];
            match OPERATORS.iter().find(|op| source[i..].starts_with(**op)) {
                Some(op) => {
                    tokens.push((start, Token::Op(op)));
                    i += op.len();
                }
                None => {
                    let ch = source[i..].chars().next().unwrap_or('?');
                    return error(start, format!("unexpected character `{ch}`"));
                }
            }
        }
    }
    Ok(tokens)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// An expression as written, before names and types are checked.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(usize, Value),
    Name(usize, String),
    Not(usize, Box<Expr>),
    Negate(usize, Box<Expr>),
    Binary(usize, BinOp, Box<Expr>, Box<Expr>),
    In(usize, Box<Expr>, Vec<(usize, Value)>),
    Call(usize, String, Vec<Expr>),
}

impl Expr {
    pub fn offset(&self) -> usize {
        match self {
            Expr::Literal(o, _)
            | Expr::Name(o, _)
            | Expr::Not(o, _)
            | Expr::Negate(o, _)
            | Expr::Binary(o, ..)
            | Expr::In(o, ..)
            | Expr::Call(o, ..) => *o,
        }
    }
}

pub fn parse(source: &str) -> Result<Expr, SyntaxError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        end: source.len(),
    };
    if parser.tokens.is_empty() {
        return error(0, "the expression is empty");
    }
    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some((offset, token)) => error(
            offset,
            format!("unexpected {} after a complete expression", describe(token)),
        ),
    }
}

/// A literal value on its own, as test cases write facts: `12 rai 2 ngan`, `1000 baht`, `true`.
pub fn parse_literal(source: &str) -> Result<Value, SyntaxError> {
    match parse(source)? {
        Expr::Literal(_, value) => Ok(value),
        Expr::Negate(_, inner) => match *inner {
            Expr::Literal(_, Value::Number(n)) => Ok(Value::Number(-n)),
            Expr::Literal(_, Value::Money(n)) => Ok(Value::Money(-n)),
            _ => error(
                0,
                "expected a single value such as `12 rai`, `1000 baht`, `5` or `true`",
            ),
        },
        _ => error(
            0,
            "expected a single value such as `12 rai`, `1000 baht`, `5` or `true`",
        ),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Number(n) => format!("number `{n}`"),
        Token::Date(d) => format!("date `{d}`"),
        Token::Text(t) => format!("text \"{t}\""),
        Token::Name(n) => format!("`{n}`"),
        Token::Op(op) => format!("`{op}`"),
    }
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    position: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<(usize, &Token)> {
        self.tokens.get(self.position).map(|(o, t)| (*o, t))
    }

    fn next(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some((_, Token::Op(o))) if *o == op)
    }

    fn at_name(&self, name: &str) -> bool {
        matches!(self.peek(), Some((_, Token::Name(n))) if n == name)
    }

    fn expect_op(&mut self, op: &'static str) -> Result<usize, SyntaxError> {
        match self.next() {
            Some((offset, Token::Op(o))) if o == op => Ok(offset),
            Some((offset, token)) => error(
                offset,
                format!("expected `{op}` but found {}", describe(&token)),
            ),
            None => error(
                self.end,
                format!("expected `{op}` but the expression ended"),
            ),
        }
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.at_name("or") {
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            let right = self.and()?;
            left = Expr::Binary(offset, BinOp::Or, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.not()?;
        while self.at_name("and") {
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            let right = self.not()?;
            left = Expr::Binary(offset, BinOp::And, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.at_name("not") {
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            return Ok(Expr::Not(offset, Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.sum()?;
        if self.at_name("in") {
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            self.expect_op("[")?;
            let mut items = Vec::new();
            while !self.at_op("]") {
                let item = self.unary()?;
                match item {
                    Expr::Literal(at, value) => items.push((at, value)),
                    other => {
                        return error(other.offset(), "a list after `in` holds only plain values")
                    }
                }
                if !self.at_op("]") {
                    self.expect_op(",")?;
                }
            }
            self.expect_op("]")?;
            return Ok(Expr::In(offset, Box::new(left), items));
        }
        let op = match self.peek() {
            Some((_, Token::Op("=="))) => BinOp::Eq,
            Some((_, Token::Op("!="))) => BinOp::Ne,
            Some((_, Token::Op("<"))) => BinOp::Lt,
            Some((_, Token::Op("<="))) => BinOp::Le,
            Some((_, Token::Op(">"))) => BinOp::Gt,
            Some((_, Token::Op(">="))) => BinOp::Ge,
            _ => return Ok(left),
        };
        let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
        let right = self.sum()?;
        Ok(Expr::Binary(offset, op, Box::new(left), Box::new(right)))
    }

    fn sum(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.product()?;
        loop {
            let op = if self.at_op("+") {
                BinOp::Add
            } else if self.at_op("-") {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            let right = self.product()?;
            left = Expr::Binary(offset, op, Box::new(left), Box::new(right));
        }
    }

    fn product(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.at_op("*") {
                BinOp::Mul
            } else if self.at_op("/") {
                BinOp::Div
            } else {
                return Ok(left);
            };
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            let right = self.unary()?;
            left = Expr::Binary(offset, op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        if self.at_op("-") {
            let (offset, _) = self.next().unwrap_or((0, Token::Op("")));
            return Ok(Expr::Negate(offset, Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let Some((offset, token)) = self.next() else {
            return error(self.end, "the expression ended too early");
        };
        match token {
            Token::Number(n) => self.quantity(offset, n),
            Token::Date(date) => Ok(Expr::Literal(offset, Value::date(date))),
            Token::Text(text) => match Code::new(&text) {
                Some(code) => Ok(Expr::Literal(offset, Value::Text(code))),
                None => error(offset, format!("text values are short codes of at most {} letters or digits without spaces", Code::MAX_LEN)),
            },
            Token::Name(name) if name == "true" => Ok(Expr::Literal(offset, Value::Bool(true))),
            Token::Name(name) if name == "false" => Ok(Expr::Literal(offset, Value::Bool(false))),
            Token::Name(name) if ["and", "or", "not", "in"].contains(&name.as_str()) => {
                error(offset, format!("`{name}` needs a value before it"))
            }
            Token::Name(name) => {
                if self.at_op("(") {
                    self.next();
                    let mut args = vec![self.or()?];
                    while self.at_op(",") {
                        self.next();
                        args.push(self.or()?);
                    }
                    self.expect_op(")")?;
                    Ok(Expr::Call(offset, name, args))
                } else {
                    Ok(Expr::Name(offset, name))
                }
            }
            Token::Op("(") => {
                let inner = self.or()?;
                self.expect_op(")")?;
                Ok(inner)
            }
            Token::Op(op) => error(offset, format!("expected a value but found `{op}`")),
        }
    }

    /// A number with an optional unit: `5`, `1000 baht`, `12 rai 2 ngan 50 wa`.
    fn quantity(&mut self, offset: usize, first: i64) -> Result<Expr, SyntaxError> {
        let unit = |parser: &Parser| match parser.peek() {
            Some((_, Token::Name(n))) => match n.as_str() {
                "baht" => Some(("money", SATANG_PER_BAHT)),
                "satang" => Some(("money", 1)),
                "rai" => Some(("area", SQ_WA_PER_RAI)),
                "ngan" => Some(("area", 100)),
                "wa" => Some(("area", 1)),
                _ => None,
            },
            _ => None,
        };
        let Some((kind, factor)) = unit(self) else {
            return Ok(Expr::Literal(offset, Value::Number(first)));
        };
        self.next();
        let mut total = first.checked_mul(factor).ok_or(SyntaxError {
            offset,
            message: "this amount is too large".into(),
        })?;
        // Further parts of the same quantity: `12 rai 2 ngan`, `100 baht 50 satang`.
        while let Some((at, Token::Number(n))) = self.peek().map(|(o, t)| (o, t.clone())) {
            let save = self.position;
            self.next();
            match unit(self) {
                Some((k, f)) if k == kind => {
                    self.next();
                    total += n * f;
                }
                _ => {
                    self.position = save;
                    return error(
                        at,
                        "a number here must carry the same kind of unit as the one before",
                    );
                }
            }
        }
        Ok(Expr::Literal(
            offset,
            if kind == "money" {
                Value::Money(total)
            } else {
                Value::Area(total)
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quantities_with_units() {
        assert_eq!(parse_literal("12 rai 2 ngan").unwrap(), Value::Area(5000));
        assert_eq!(parse_literal("1000 baht").unwrap(), Value::Money(100_000));
        assert_eq!(
            parse_literal("1_340 baht 50 satang").unwrap(),
            Value::Money(134_050)
        );
        assert_eq!(
            parse_literal("\"32\"").unwrap(),
            Value::Text(Code::new("32").unwrap())
        );
        assert_eq!(parse_literal("-5").unwrap(), Value::Number(-5));
    }

    #[test]
    fn dates_are_not_subtractions() {
        let date = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        assert_eq!(parse_literal("2024-01-15").unwrap(), Value::date(date));
        assert_eq!(
            parse("2024-02-30").unwrap_err().message,
            "`2024-02-30` is not a real date"
        );
    }

    #[test]
    fn precedence_binds_comparison_tighter_than_logic() {
        let expr = parse("a > 0 rai and not b or c").unwrap();
        let Expr::Binary(_, BinOp::Or, left, _) = expr else {
            panic!("or at the top")
        };
        let Expr::Binary(_, BinOp::And, _, right) = *left else {
            panic!("and below or")
        };
        assert!(matches!(*right, Expr::Not(..)));
    }

    #[test]
    fn errors_point_at_the_column() {
        let e = parse("rice_area_main > ").unwrap_err();
        assert_eq!(e.offset, 17);
        assert_eq!(e.message, "the expression ended too early");
        let e = parse("province in [\"32\", x]").unwrap_err();
        assert_eq!(
            (e.offset, e.message.as_str()),
            (19, "a list after `in` holds only plain values")
        );
        let e = parse("a == 1 )").unwrap_err();
        assert_eq!(e.offset, 7);
        let e = parse("12 rai 5").unwrap_err();
        assert_eq!(e.offset, 7);
        assert!(parse("a $ b")
            .unwrap_err()
            .message
            .contains("unexpected character `$`"));
    }
}
