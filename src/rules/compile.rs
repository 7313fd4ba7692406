//! Type checking: resolves names to fact or parameter slots, checks every operator's types, and
//! produces the typed tree that `Node::eval` runs. Errors point at the offending column.

use super::syntax::{BinOp, Expr, SyntaxError};
use super::types::{Type, Value, SQ_WA_PER_RAI};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Fact(usize),
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    /// Any product with a plain number.
    Scale,
    /// Land × money: the money is a rate per rai.
    PerRai,
    /// Division by a plain number, rounded down.
    Divide,
    /// Date − date: a number of days.
    DaysBetween,
}

/// A checked expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(Value),
    Fact(usize),
    Param(usize),
    Not(Box<Node>),
    Negate(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Compare(Cmp, Box<Node>, Box<Node>),
    /// The commonest condition, `fact <op> constant`, without the two recursive calls.
    CompareFact(Cmp, usize, Value),
    In(Box<Node>, Box<[Value]>),
    Arith(Arith, Type, Box<Node>, Box<Node>),
    Min(Box<Node>, Box<Node>),
    Max(Box<Node>, Box<Node>),
}

pub type CheckError = SyntaxError;

fn fail<T>(offset: usize, message: impl Into<String>) -> Result<T, CheckError> {
    Err(CheckError {
        offset,
        message: message.into(),
    })
}

/// Resolves a name to its slot and type.
pub trait Names {
    fn resolve(&self, name: &str) -> Option<(Slot, Type)>;
    /// A close name for "did you mean …?".
    fn suggest(&self, name: &str) -> Option<String>;
}

pub fn check(expr: &Expr, names: &dyn Names) -> Result<(Node, Type), CheckError> {
    match expr {
        Expr::Literal(offset, value) => match value.ty() {
            Some(ty) => Ok((Node::Const(*value), ty)),
            None => fail(*offset, "unknown literal"),
        },
        Expr::Name(offset, name) => match names.resolve(name) {
            Some((Slot::Fact(i), ty)) => Ok((Node::Fact(i), ty)),
            Some((Slot::Param(i), ty)) => Ok((Node::Param(i), ty)),
            None => {
                let hint = names
                    .suggest(name)
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                fail(*offset, format!("unknown fact or parameter `{name}`{hint}"))
            }
        },
        Expr::Not(offset, inner) => {
            let (node, ty) = check(inner, names)?;
            expect(*offset, "`not`", ty, Type::Bool)?;
            Ok((Node::Not(Box::new(node)), Type::Bool))
        }
        Expr::Negate(offset, inner) => {
            let (node, ty) = check(inner, names)?;
            if !matches!(ty, Type::Number | Type::Money | Type::Area) {
                return fail(*offset, format!("cannot negate a {ty}"));
            }
            Ok((Node::Negate(Box::new(node)), ty))
        }
        Expr::In(offset, left, items) => {
            let (node, ty) = check(left, names)?;
            if !matches!(ty, Type::Text | Type::Number) {
                return fail(
                    *offset,
                    format!("`in` works on text or numbers, not on a {ty}"),
                );
            }
            for (at, item) in items {
                if item.ty() != Some(ty) {
                    return fail(
                        *at,
                        format!("this list holds {ty} values, so every item must be a {ty}"),
                    );
                }
            }
            let values: Vec<Value> = items.iter().map(|(_, v)| *v).collect();
            Ok((
                Node::In(Box::new(node), values.into_boxed_slice()),
                Type::Bool,
            ))
        }
        Expr::Call(offset, name, args) => {
            let make = match name.as_str() {
                "min" => Node::Min,
                "max" => Node::Max,
                _ => {
                    return fail(
                        *offset,
                        format!("unknown function `{name}`: only `min` and `max` exist"),
                    )
                }
            };
            let [a, b] = args.as_slice() else {
                return fail(*offset, format!("`{name}` takes exactly two values"));
            };
            let (left, lt) = check(a, names)?;
            let (right, rt) = check(b, names)?;
            if lt != rt {
                return fail(
                    b.offset(),
                    format!("`{name}` compares values of one type, but got a {lt} and a {rt}"),
                );
            }
            if matches!(lt, Type::Bool | Type::Text) {
                return fail(
                    *offset,
                    format!("`{name}` needs numbers, money, areas or dates, not a {lt}"),
                );
            }
            Ok((make(Box::new(left), Box::new(right)), lt))
        }
        Expr::Binary(offset, op, a, b) => {
            let (left, lt) = check(a, names)?;
            let (right, rt) = check(b, names)?;
            binary(*offset, *op, left, lt, right, rt)
        }
    }
}

fn expect(offset: usize, what: &str, found: Type, wanted: Type) -> Result<(), CheckError> {
    if found == wanted {
        Ok(())
    } else {
        fail(
            offset,
            format!("{what} needs a {wanted}, but got a {found}"),
        )
    }
}

fn binary(
    offset: usize,
    op: BinOp,
    left: Node,
    lt: Type,
    right: Node,
    rt: Type,
) -> Result<(Node, Type), CheckError> {
    let (l, r) = (Box::new(left), Box::new(right));
    let cmp = |c: Cmp| -> Result<(Node, Type), CheckError> {
        if lt != rt {
            return fail(offset, format!("`{}` compares a {lt} with a {rt}; both sides must be of one type (e.g. an area with `0 rai`)", op.symbol()));
        }
        if !matches!(c, Cmp::Eq | Cmp::Ne) && matches!(lt, Type::Bool | Type::Text) {
            return fail(
                offset,
                format!("`{}` cannot order {lt} values", op.symbol()),
            );
        }
        let node = match (l.as_ref(), r.as_ref()) {
            (Node::Fact(i), Node::Const(v)) => Node::CompareFact(c, *i, *v),
            _ => Node::Compare(c, l.clone(), r.clone()),
        };
        Ok((node, Type::Bool))
    };
    match op {
        BinOp::And | BinOp::Or => {
            expect(offset, &format!("`{}`", op.symbol()), lt, Type::Bool)?;
            expect(offset, &format!("`{}`", op.symbol()), rt, Type::Bool)?;
            Ok((
                if op == BinOp::And {
                    Node::And(l, r)
                } else {
                    Node::Or(l, r)
                },
                Type::Bool,
            ))
        }
        BinOp::Eq => cmp(Cmp::Eq),
        BinOp::Ne => cmp(Cmp::Ne),
        BinOp::Lt => cmp(Cmp::Lt),
        BinOp::Le => cmp(Cmp::Le),
        BinOp::Gt => cmp(Cmp::Gt),
        BinOp::Ge => cmp(Cmp::Ge),
        BinOp::Add | BinOp::Sub => match (lt, rt) {
            (Type::Date, Type::Date) if op == BinOp::Sub => Ok((
                Node::Arith(Arith::DaysBetween, Type::Number, l, r),
                Type::Number,
            )),
            (a, b) if a == b && matches!(a, Type::Number | Type::Money | Type::Area) => {
                let arith = if op == BinOp::Add {
                    Arith::Add
                } else {
                    Arith::Sub
                };
                Ok((Node::Arith(arith, a, l, r), a))
            }
            _ => fail(
                offset,
                format!(
                    "cannot {} a {rt} {} a {lt}",
                    if op == BinOp::Add { "add" } else { "subtract" },
                    if op == BinOp::Add { "to" } else { "from" }
                ),
            ),
        },
        BinOp::Mul => match (lt, rt) {
            (Type::Number, t) | (t, Type::Number)
                if matches!(t, Type::Number | Type::Money | Type::Area) =>
            {
                Ok((Node::Arith(Arith::Scale, t, l, r), t))
            }
            (Type::Area, Type::Money) | (Type::Money, Type::Area) => {
                Ok((Node::Arith(Arith::PerRai, Type::Money, l, r), Type::Money))
            }
            _ => fail(offset, format!("cannot multiply a {lt} by a {rt}")),
        },
        BinOp::Div => match (lt, rt) {
            (t, Type::Number) if matches!(t, Type::Number | Type::Money | Type::Area) => {
                Ok((Node::Arith(Arith::Divide, t, l, r), t))
            }
            _ => fail(
                offset,
                format!(
                    "cannot divide a {lt} by a {rt}; only division by a plain number is allowed"
                ),
            ),
        },
    }
}

impl Node {
    /// Evaluates with three-valued logic: an unknown fact makes the result unknown unless the
    /// other side of `and`/`or` decides it.
    pub fn eval(&self, facts: &[Value], params: &[Value]) -> Value {
        match self {
            Node::Const(v) => *v,
            Node::Fact(i) => facts[*i],
            Node::Param(i) => params[*i],
            Node::Not(inner) => match inner.eval(facts, params) {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Unknown,
            },
            Node::Negate(inner) => match inner.eval(facts, params) {
                Value::Number(n) => Value::Number(-n),
                Value::Money(n) => Value::Money(-n),
                Value::Area(n) => Value::Area(-n),
                _ => Value::Unknown,
            },
            Node::And(a, b) => match a.eval(facts, params) {
                Value::Bool(false) => Value::Bool(false),
                left => match (left, b.eval(facts, params)) {
                    (_, Value::Bool(false)) => Value::Bool(false),
                    (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                    _ => Value::Unknown,
                },
            },
            Node::Or(a, b) => match a.eval(facts, params) {
                Value::Bool(true) => Value::Bool(true),
                left => match (left, b.eval(facts, params)) {
                    (_, Value::Bool(true)) => Value::Bool(true),
                    (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                    _ => Value::Unknown,
                },
            },
            Node::Compare(cmp, a, b) => compare(*cmp, a.eval(facts, params), b.eval(facts, params)),
            Node::CompareFact(cmp, fact, constant) => compare(*cmp, facts[*fact], *constant),
            Node::In(inner, items) => match inner.eval(facts, params) {
                Value::Unknown => Value::Unknown,
                v => Value::Bool(items.contains(&v)),
            },
            Node::Arith(op, ty, a, b) => {
                arith(*op, *ty, a.eval(facts, params), b.eval(facts, params))
            }
            Node::Min(a, b) => extreme(a.eval(facts, params), b.eval(facts, params), true),
            Node::Max(a, b) => extreme(a.eval(facts, params), b.eval(facts, params), false),
        }
    }

    /// The facts this expression reads, for "what is missing" explanations.
    pub fn facts_read(&self, out: &mut Vec<usize>) {
        match self {
            Node::Fact(i) => {
                if !out.contains(i) {
                    out.push(*i)
                }
            }
            Node::CompareFact(_, i, _) => {
                if !out.contains(i) {
                    out.push(*i)
                }
            }
            Node::Const(_) | Node::Param(_) => {}
            Node::Not(a) | Node::Negate(a) | Node::In(a, _) => a.facts_read(out),
            Node::And(a, b)
            | Node::Or(a, b)
            | Node::Compare(_, a, b)
            | Node::Arith(_, _, a, b)
            | Node::Min(a, b)
            | Node::Max(a, b) => {
                a.facts_read(out);
                b.facts_read(out);
            }
        }
    }
}

#[inline]
fn compare(cmp: Cmp, a: Value, b: Value) -> Value {
    let ordering = match (a, b) {
        (Value::Number(x), Value::Number(y))
        | (Value::Money(x), Value::Money(y))
        | (Value::Area(x), Value::Area(y)) => x.cmp(&y),
        (Value::Date(x), Value::Date(y)) => x.cmp(&y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(&y),
        (Value::Text(x), Value::Text(y)) => {
            return Value::Bool(match cmp {
                Cmp::Eq => x == y,
                _ => x != y,
            })
        }
        _ => return Value::Unknown,
    };
    Value::Bool(match cmp {
        Cmp::Eq => ordering.is_eq(),
        Cmp::Ne => ordering.is_ne(),
        Cmp::Lt => ordering.is_lt(),
        Cmp::Le => ordering.is_le(),
        Cmp::Gt => ordering.is_gt(),
        Cmp::Ge => ordering.is_ge(),
    })
}

fn payload(v: Value) -> Option<i64> {
    match v {
        Value::Number(n) | Value::Money(n) | Value::Area(n) => Some(n),
        Value::Date(d) => Some(i64::from(d)),
        _ => None,
    }
}

fn wrap(ty: Type, n: i64) -> Value {
    match ty {
        Type::Number => Value::Number(n),
        Type::Money => Value::Money(n),
        Type::Area => Value::Area(n),
        _ => Value::Unknown,
    }
}

fn arith(op: Arith, ty: Type, a: Value, b: Value) -> Value {
    let (Some(x), Some(y)) = (payload(a), payload(b)) else {
        return Value::Unknown;
    };
    let result = match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub | Arith::DaysBetween => x.checked_sub(y),
        Arith::Scale => x.checked_mul(y),
        // sq wa × satang per rai ÷ 400, rounded down: 12 rai 2 ngan × 1,000 baht = 12,500 baht.
        Arith::PerRai => x.checked_mul(y).map(|p| p.div_euclid(SQ_WA_PER_RAI)),
        Arith::Divide => (y != 0).then(|| x.div_euclid(y)),
    };
    result.map_or(Value::Unknown, |n| wrap(ty, n))
}

fn extreme(a: Value, b: Value, smaller: bool) -> Value {
    match (a, b) {
        (Value::Unknown, _) | (_, Value::Unknown) => Value::Unknown,
        (Value::Date(x), Value::Date(y)) => Value::Date(if smaller { x.min(y) } else { x.max(y) }),
        _ => match (payload(a), payload(b), a.ty()) {
            (Some(x), Some(y), Some(ty)) => wrap(ty, if smaller { x.min(y) } else { x.max(y) }),
            _ => Value::Unknown,
        },
    }
}
