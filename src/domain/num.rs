//! Numbers as people type them. A value is kept as the `f64` nearest to what was typed, and that
//! `f64` is stored, hashed, exported and imported bit for bit (serde_json's `float_roundtrip`).
//! Arithmetic that decides something — a difference of means, a threshold, a percentage — is done
//! exactly on the shortest decimal that gives the same `f64` (what Rust prints for it), so that
//! `0.3` against `0.33` is exactly 10% and six times `0.010` has a mean of exactly `0.010`.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::error::Refusal;

/// Parses a number as a person types it: `42`, `3.5`, `-1`, `1e-3`. Refuses text that is not a
/// number, infinities and NaN, a magnitude beyond what can be kept (over about 1.8e308), and a
/// non-zero number so small that it would be kept as 0. `-0` is kept as `0`.
pub fn parse(input: &str) -> Result<f64, Refusal> {
    let text = input.trim();
    let looks_numeric = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    let parsed = if looks_numeric {
        text.parse::<f64>().ok()
    } else {
        None
    };
    let Some(v) = parsed else {
        return Err(Refusal::invalid(format!(
            "`{}` is not a number: write it like 42, 3.5 or 1e-3",
            input
        )));
    };
    if !v.is_finite() {
        return Err(Refusal::invalid(format!(
            "`{text}` is too large to keep: numbers must lie between -1.7e308 and 1.7e308"
        )));
    }
    if v == 0.0 {
        // A typed zero is zero; a typed 1e-400 would silently become zero.
        if mantissa_digits(text).any(|d| d != '0') {
            return Err(Refusal::invalid(format!(
                "`{text}` is too small to keep (it would be stored as 0): the smallest magnitude is about 5e-324"
            )));
        }
        return Ok(0.0);
    }
    Ok(v)
}

/// The longest typed text kept for a value (the schema's limit).
pub const MAX_TYPED: usize = 400;
/// The longest source id kept for a value (the schema's limit).
pub const MAX_SOURCE: usize = 200;

/// The text to keep beside `value`: what was typed, when it is not the number's shortest form
/// and means exactly that number. A front end that typed one number and sent another is refused.
pub fn typed_text(value: f64, typed: Option<&str>) -> Result<Option<String>, Refusal> {
    let Some(text) = typed.map(str::trim) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_TYPED {
        return Err(Refusal::invalid(format!(
            "a value is typed in at most {MAX_TYPED} characters: shorten `{}…`",
            text.chars().take(20).collect::<String>()
        )));
    }
    let parsed = parse(text)?;
    // `-0` is kept as 0, as the number itself is.
    if parsed.to_bits() != value.to_bits() && !(parsed == 0.0 && value == 0.0) {
        return Err(Refusal::invalid(format!(
            "`{text}` does not mean {}, the value it came with: the typed text must be that value as typed",
            show(value)
        )));
    }
    // A zero is kept without a sign, as the number is (`-0.00` is `0.00`).
    let text = match text.strip_prefix('-') {
        Some(unsigned) if value == 0.0 => unsigned,
        _ => text,
    };
    Ok((text != show(value)).then(|| text.to_string()))
}

/// The digits of a typed number before its exponent.
fn mantissa_digits(text: &str) -> impl Iterator<Item = char> + '_ {
    text.split(['e', 'E'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
}

/// The shortest decimal of `v` as an integer mantissa and a power of ten: `v = m × 10^e`.
/// `0.25` gives `(25, -2)`, `1e308` gives `(1, 308)`.
pub fn decimal(v: f64) -> (BigInt, i32) {
    let (m, e) = small_decimal(v);
    (BigInt::from(m), e)
}

/// [`decimal`] with the mantissa as a machine integer: the shortest digits that read back as
/// the same f64 are at most 17, so they always fit.
pub fn small_decimal(v: f64) -> (i64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (0, 0);
    }
    // `{:e}` prints the shortest digits that read back as the same f64: `1.8181818181818182e-1`.
    let text = format!("{v:e}");
    let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let fraction = mant.split_once('.').map_or(0, |(_, f)| f.len() as i32);
    let magnitude = mant
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0i64, |m, d| m * 10 + i64::from(d - b'0'));
    let m = if mant.starts_with('-') {
        -magnitude
    } else {
        magnitude
    };
    (m, exp - fraction)
}

/// `v` as an exact rational: the shortest decimal that reads back as `v`.
pub fn exact(v: f64) -> BigRational {
    let (m, e) = decimal(v);
    if e >= 0 {
        BigRational::from_integer(m * pow10(e as u32))
    } else {
        BigRational::new(m, pow10(e.unsigned_abs()))
    }
}

fn pow10(e: u32) -> BigInt {
    num_traits::pow(BigInt::from(10), e as usize)
}

/// The unit of the last digit `v` was typed with (`0.25` → 0.01, `12` → 1, `3e-7` → 1e-7),
/// never more than 1: the resolution of a hand-typed value, used as a floor for its spread.
pub fn quantum(v: f64) -> f64 {
    if v == 0.0 {
        return 1.0;
    }
    let (_, e) = decimal(v);
    if e >= 0 { 1.0 } else { 10f64.powi(e) }
}

/// A decimal exactly as typed, as an integer mantissa and a power of ten: `10.00` gives
/// `(1000, -2)` (its trailing zeros are its resolution), `-1.5e3` gives `(-15, 2)`. However many
/// digits it has: a 17-significant-digit value is this decimal, not the other decimal of the
/// same length that reads back as the same `f64`. `None` for text that is not a plain decimal.
pub fn typed_decimal(text: &str) -> Option<(BigInt, i32)> {
    let text = text.trim();
    let (mant, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (negative, digits) = match mant.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mant.strip_prefix('+').unwrap_or(mant)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let all: String = whole.chars().chain(fraction.chars()).collect();
    let m: BigInt = all.parse().ok()?;
    let e = exp.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    Some((if negative { -m } else { m }, e))
}

/// The decimal a value was typed as when its text is known and reads back as the value kept,
/// else the shortest decimal that does.
pub fn decimal_of(v: f64, text: Option<&str>) -> (BigInt, i32) {
    text.filter(|t| parse(t).is_ok_and(|x| x == v))
        .and_then(typed_decimal)
        .unwrap_or_else(|| decimal(v))
}

/// An exact rational from a decimal `m × 10^e`.
pub fn rational((m, e): &(BigInt, i32)) -> BigRational {
    if *e >= 0 {
        BigRational::from_integer(m * pow10(e.unsigned_abs()))
    } else {
        BigRational::new(m.clone(), pow10(e.unsigned_abs()))
    }
}

/// The shortest decimal of each value, as text: what a value reads as when the text it was typed
/// with is not known.
pub fn shortest_decimals(values: &[f64]) -> impl Iterator<Item = String> + '_ {
    values.iter().map(|v| format!("{v:e}"))
}

/// The finest resolution among values typed as these decimals: the unit of the last digit of the
/// one typed with most decimals (`5.2` and `0` → 0.1; `10.00` → 0.01), never more than 1. One
/// round value (`0`, or `10` for a `10.00` whose text was lost) never coarsens it. `None` when no
/// text is a decimal.
pub fn resolution<S: AsRef<str>>(typed: impl IntoIterator<Item = S>) -> Option<f64> {
    typed
        .into_iter()
        .filter_map(|t| typed_decimal(t.as_ref()).map(|(_, e)| e))
        .min()
        .map(|e| if e >= 0 { 1.0 } else { 10f64.powi(e) })
}

/// The mean of exact values, exactly.
pub fn exact_mean(xs: &[BigRational]) -> Option<BigRational> {
    if xs.is_empty() {
        return None;
    }
    let sum: BigRational = xs.iter().fold(BigRational::zero(), |a, x| a + x);
    Some(sum / BigRational::from_integer(BigInt::from(xs.len())))
}

/// An exact rational as the nearest `f64`.
pub fn to_f64(r: &BigRational) -> f64 {
    if r.is_zero() {
        return 0.0;
    }
    if let Some(v) = r.to_f64().filter(|v| v.is_finite() && *v != 0.0) {
        return v;
    }
    // Huge numerators and denominators: divide with enough digits by hand.
    let negative = r.is_negative();
    let (n, d) = (r.numer().abs(), r.denom().clone());
    let shift = n.bits() as i64 - d.bits() as i64;
    let scaled = if shift > 60 {
        BigRational::new(n, d * (BigInt::one() << (shift - 60) as usize))
    } else {
        BigRational::new(n * (BigInt::one() << (60 - shift) as usize), d)
    };
    let m = scaled.to_f64().unwrap_or(0.0);
    let v = m * 2f64.powi((shift - 60) as i32);
    if negative { -v } else { v }
}

/// A number for people, exactly as kept: the shortest digits that read back as the same value,
/// in plain notation for everyday magnitudes and in exponent notation for the very large and the
/// very small (never a 309-digit expansion), and never `-0`.
pub fn show(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if (1e-6..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A computed figure (a mean, an interval end) for people: `digits` significant digits, trailing
/// zeros dropped, exponent notation outside everyday magnitudes, never `-0`.
pub fn estimate(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.max(1);
    let a = v.abs();
    if !(1e-4..1e15).contains(&a) {
        let s = format!("{:.*e}", digits - 1, v);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{m}e{e}");
    }
    let magnitude = a.log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

#[cfg(test)]
mod tests {
    #[test]
    fn typed_text_is_kept_only_when_it_is_not_the_shortest_form_and_means_the_value() {
        use super::typed_text;
        assert_eq!(
            typed_text(10.0, Some("10.00")).unwrap(),
            Some("10.00".into())
        );
        assert_eq!(typed_text(10.0, Some(" 1e1 ")).unwrap(), Some("1e1".into()));
        assert_eq!(typed_text(0.0, Some("-0")).unwrap(), None);
        assert_eq!(typed_text(0.0, Some("-0.00")).unwrap(), Some("0.00".into()));
        assert_eq!(typed_text(5.2, Some("5.2")).unwrap(), None);
        assert_eq!(typed_text(5.2, None).unwrap(), None);
        // A front end that sends one number and another text is refused.
        assert!(typed_text(5.2, Some("5.3")).is_err());
        assert!(typed_text(5.2, Some("five")).is_err());
        assert!(typed_text(1.0, Some(&format!("1.{}", "0".repeat(400)))).is_err());
        // 17 significant digits that round to the same double are that double's text.
        let v: f64 = "0.30000000000000004".parse().unwrap();
        assert_eq!(typed_text(v, Some("0.30000000000000004")).unwrap(), None);
        assert_eq!(
            typed_text(0.1, Some("0.10000000000000000555")).unwrap(),
            Some("0.10000000000000000555".into())
        );
    }

    use super::*;

    #[test]
    fn typed_numbers_parse_and_odd_ones_are_refused() {
        assert_eq!(parse(" 3.5 ").unwrap(), 3.5);
        assert_eq!(parse("-2").unwrap(), -2.0);
        assert_eq!(parse("1e-3").unwrap(), 0.001);
        assert_eq!(parse("0.18181818181818182").unwrap(), 0.18181818181818182);
        assert_eq!(parse("5e-324").unwrap(), 5e-324);
        assert!(parse("-0").unwrap().is_sign_positive());
        assert!(parse("0.000").unwrap() == 0.0);
        for bad in [
            "4x2",
            "",
            "NaN",
            "inf",
            "-infinity",
            "1,5",
            "1e400",
            "1e-400",
            "0x10",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("1e400").unwrap_err().message.contains("too large"));
        assert!(parse("1e-400").unwrap_err().message.contains("too small"));
    }

    #[test]
    fn the_shortest_decimal_is_exact() {
        assert_eq!(decimal(0.25), (BigInt::from(25), -2));
        assert_eq!(decimal(1e308), (BigInt::from(1), 308));
        assert_eq!(decimal(-3.5), (BigInt::from(-35), -1));
        assert_eq!(
            exact(0.1) + exact(0.2),
            BigRational::new(3.into(), 10.into())
        );
        // 0.33 is exactly 10% more than 0.3.
        let ten_percent = exact(0.3) * BigRational::new(11.into(), 10.into());
        assert_eq!(ten_percent, exact(0.33));
        let six = vec![exact(0.010); 6];
        assert_eq!(exact_mean(&six).unwrap(), exact(0.01));
    }

    #[test]
    fn quantum_is_the_typed_resolution() {
        assert_eq!(quantum(0.25), 0.01);
        assert_eq!(quantum(12.0), 1.0);
        assert_eq!(quantum(1200.0), 1.0);
        assert_eq!(quantum(3e-7), 1e-7);
    }

    #[test]
    fn typed_decimals_keep_their_digits_and_resolution() {
        assert_eq!(typed_decimal("10.00"), Some((BigInt::from(1000), -2)));
        assert_eq!(typed_decimal("-1.5e3"), Some((BigInt::from(-15), 2)));
        assert_eq!(typed_decimal("+.5"), Some((BigInt::from(5), -1)));
        assert_eq!(typed_decimal("0"), Some((BigInt::from(0), 0)));
        for bad in ["", ".", "1.2.3", "e5", "1e", "x1", "1,5"] {
            assert_eq!(typed_decimal(bad), None, "{bad}");
        }
        // The finest resolution among them: one round value changes nothing.
        assert_eq!(resolution(["5.2", "4.8", "0"]), Some(0.1));
        assert_eq!(resolution(["10.00", "10.25"]), Some(0.01));
        assert_eq!(resolution(shortest_decimals(&[10.0, 10.25])), Some(0.01));
        assert_eq!(resolution(shortest_decimals(&[1200.0])), Some(1.0));
        assert_eq!(resolution(shortest_decimals(&[3e-7])), Some(1e-7));
        assert_eq!(resolution(Vec::<String>::new()), None);
        // Two 17-digit decimals that read back as the same f64: each is computed as typed.
        let (a, b) = ("0.30000000000000004", "0.30000000000000003");
        assert_eq!(parse(a).unwrap(), parse(b).unwrap());
        let v = parse(b).unwrap();
        assert_eq!(
            rational(&decimal_of(v, Some(b))),
            BigRational::new(30000000000000003i64.into(), pow10(17))
        );
        assert_ne!(rational(&decimal_of(v, Some(b))), exact(v));
        // A text that does not read back as the value kept is not trusted.
        assert_eq!(decimal_of(0.5, Some("0.25")), decimal(0.5));
    }

    #[test]
    fn exact_rationals_convert_back_even_at_extremes() {
        for v in [0.1, 1e308, 5e-324, -2.5e-310, 123456.789] {
            assert_eq!(to_f64(&exact(v)), v, "{v}");
        }
        let tiny_ratio = exact(1e300) / exact(1e-300);
        assert!(to_f64(&tiny_ratio).is_infinite() || to_f64(&tiny_ratio) > 1e307);
    }

    #[test]
    fn numbers_show_as_kept() {
        assert_eq!(show(0.004), "0.004");
        assert_eq!(show(0.18181818181818182), "0.18181818181818182");
        assert_eq!(show(9.0), "9");
        assert_eq!(show(-0.0), "0");
        assert_eq!(show(1e308), "1e308");
        assert_eq!(show(5e-324), "5e-324");
        assert_eq!(show(1234567.5), "1234567.5");
        assert_eq!(show(1e-7), "1e-7");
    }

    #[test]
    fn estimates_are_short() {
        assert_eq!(estimate(10.25, 4), "10.25");
        assert_eq!(estimate(7.1666666, 4), "7.167");
        assert_eq!(estimate(-0.00001, 3), "-1e-5");
        assert_eq!(estimate(-0.0000001, 3), "-1e-7");
        assert_eq!(estimate(1e19, 3), "1e19");
        assert_eq!(estimate(0.0123456, 3), "0.0123");
        assert_eq!(estimate(1234567.0, 4), "1234567");
    }
}
