//! Units as types: money in pence, clock times in minutes after midnight.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// An amount of money in pence (GBP). Integer, so sums are exact.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Pence(pub i64);

impl Pence {
    /// From pounds, rounded to the nearest penny.
    pub fn from_pounds(p: f64) -> Self {
        Pence((p * 100.0).round() as i64)
    }
    /// In pounds.
    pub fn pounds(self) -> f64 {
        self.0 as f64 / 100.0
    }
    /// Pounds with two decimals and no symbol, for data files: `1234.56`.
    pub fn decimal(self) -> String {
        format!("{:.2}", self.pounds())
    }
}

/// Digits grouped by thousands: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a percentage of `whole`; 0 when `whole` is not positive (no baseline).
pub fn percent(part: Pence, whole: Pence) -> f64 {
    if whole.0 > 0 {
        100.0 * part.0 as f64 / whole.0 as f64
    } else {
        0.0
    }
}

impl Add for Pence {
    type Output = Pence;
    fn add(self, o: Pence) -> Pence {
        Pence(self.0 + o.0)
    }
}
impl AddAssign for Pence {
    fn add_assign(&mut self, o: Pence) {
        self.0 += o.0;
    }
}
impl Sub for Pence {
    type Output = Pence;
    fn sub(self, o: Pence) -> Pence {
        Pence(self.0 - o.0)
    }
}
impl std::ops::Neg for Pence {
    type Output = Pence;
    fn neg(self) -> Pence {
        Pence(-self.0)
    }
}
impl Mul<i64> for Pence {
    type Output = Pence;
    fn mul(self, k: i64) -> Pence {
        Pence(self.0 * k)
    }
}
impl std::iter::Sum for Pence {
    fn sum<I: Iterator<Item = Pence>>(iter: I) -> Pence {
        Pence(iter.map(|p| p.0).sum())
    }
}
/// The one money format of everything a person reads (terminal, report, route sheets):
/// pounds with thousands separators and pence, `£1,234.56`, `−£20.00`. Data files use
/// [`Pence::decimal`].
impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "−" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}£{}.{:02}", thousands(a / 100), a % 100)
    }
}

/// A time of day in whole minutes after midnight.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Clock(pub u32);

impl Clock {
    /// From hours and minutes.
    pub fn hm(h: u32, m: u32) -> Self {
        Clock(h * 60 + m)
    }
    /// Seconds after midnight.
    pub fn seconds(self) -> i64 {
        self.0 as i64 * 60
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Formats seconds after midnight as `HH:MM`.
pub fn hhmm(seconds: i64) -> String {
    let m = seconds.div_euclid(60);
    format!("{:02}:{:02}", m.div_euclid(60), m.rem_euclid(60))
}
