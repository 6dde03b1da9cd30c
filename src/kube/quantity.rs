//! Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`, `129M`, `250000n`) as exact integers:
//! CPU in millicores, everything else in units (bytes), rounding up as the apiserver does when it
//! scales a quantity down to an integer.

/// A quantity as an exact fraction `num / 10^scale_down`, then turned into an integer.
fn parse_decimal(text: &str) -> Option<(i128, u32)> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    // Quantities have at most a few digits after the point in practice; cap to stay in range.
    let frac = &frac[..frac.len().min(18)];
    let digits = format!("{int}{frac}");
    let num: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    Some((num, frac.len() as u32))
}

/// `value * 10^exp10 * 2^exp2`, rounded up to an integer (ceil, as resource.Quantity does).
fn scale(num: i128, frac_digits: u32, exp10: i32, exp2: u32) -> Option<i128> {
    let mut n = num.checked_mul(1i128.checked_shl(exp2)?)?;
    let mut e = exp10 - frac_digits as i32;
    while e > 0 {
        n = n.checked_mul(10)?;
        e -= 1;
    }
    let mut div: i128 = 1;
    while e < 0 {
        div = div.checked_mul(10)?;
        e += 1;
    }
    Some((n + div - 1) / div)
}

/// Parse a quantity into its base unit times `10^exp10_shift` (3 for millis), rounded up.
fn parse_scaled(text: &str, shift: i32) -> Option<i128> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (num, frac) = parse_decimal(number)?;
    let (exp10, exp2) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        s if s.starts_with(['e', 'E']) => (s[1..].parse::<i32>().ok()?, 0),
        _ => return None,
    };
    let v = scale(num, frac, exp10 + shift, exp2)?;
    Some(if negative { -v } else { v })
}

/// CPU in millicores (`100m` → 100, `1.5` → 1500, `250000n` → 1 after rounding up).
pub fn millicores(text: &str) -> Option<i64> {
    parse_scaled(text, 3).and_then(|v| i64::try_from(v).ok())
}

/// Memory (and other byte quantities) in bytes (`1.5Gi` → 1610612736, `129M` → 129000000).
pub fn bytes(text: &str) -> Option<i64> {
    parse_scaled(text, 0).and_then(|v| i64::try_from(v).ok())
}

/// A plain count (`110` pods).
pub fn count(text: &str) -> Option<i64> {
    bytes(text)
}

/// Millicores as people read them: `250m`, `1.5`, `12`.
pub fn cpu_text(milli: i64) -> String {
    if milli.abs() < 1000 {
        format!("{milli}m")
    } else if milli % 1000 == 0 {
        format!("{}", milli / 1000)
    } else {
        format!("{:.1}", milli as f64 / 1000.0)
    }
}

/// Bytes in binary units, as `kubectl top` prints them (`512Mi`, `1.5Gi`).
pub fn bytes_text(b: i64) -> String {
    const UNITS: [(&str, i64); 4] = [
        ("Ti", 1 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if b.abs() >= size {
            let v = b as f64 / size as f64;
            return if v >= 10.0 || (b % size) == 0 {
                format!("{:.0}{unit}", v)
            } else {
                format!("{v:.1}{unit}")
            };
        }
    }
    b.to_string()
}

/// `part` as a whole percentage of `whole` (None when the whole is unknown or zero).
pub fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (i128::from(part) * 100 / i128::from(whole)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_quantities() {
        assert_eq!(millicores("100m"), Some(100));
        assert_eq!(millicores("1"), Some(1000));
        assert_eq!(millicores("1.5"), Some(1500));
        assert_eq!(millicores("0.1"), Some(100));
        assert_eq!(millicores("2e3"), Some(2_000_000));
        assert_eq!(millicores("250000n"), Some(1), "rounded up");
        assert_eq!(millicores("1500000000n"), Some(1500));
        assert_eq!(millicores("500u"), Some(1));
        assert_eq!(millicores("-100m"), Some(-100));
        assert_eq!(millicores(""), None);
        assert_eq!(millicores("abc"), None);
        assert_eq!(millicores("1.2.3"), None);
        assert_eq!(millicores("5Qi"), None);
    }

    #[test]
    fn memory_quantities() {
        assert_eq!(bytes("1.5Gi"), Some(1_610_612_736));
        assert_eq!(bytes("129M"), Some(129_000_000));
        assert_eq!(bytes("128Mi"), Some(134_217_728));
        assert_eq!(bytes("1Ki"), Some(1024));
        assert_eq!(bytes("2e3"), Some(2000));
        assert_eq!(bytes("1E3"), Some(1000));
        assert_eq!(bytes("12345"), Some(12345));
        assert_eq!(bytes("1k"), Some(1000));
        assert_eq!(bytes("0.5Ki"), Some(512));
        assert_eq!(bytes("8053252Ki"), Some(8_246_530_048));
        assert_eq!(bytes("1Ei"), Some(1 << 60));
        assert_eq!(bytes("100m"), Some(1), "a milli-byte rounds up to one");
    }

    #[test]
    fn arithmetic_and_text() {
        let total = bytes("1.5Gi").unwrap_or(0) + bytes("512Mi").unwrap_or(0);
        assert_eq!(total, 2 << 30);
        assert_eq!(bytes_text(total), "2Gi");
        assert_eq!(bytes_text(1_610_612_736), "1.5Gi");
        assert_eq!(bytes_text(134_217_728), "128Mi");
        assert_eq!(bytes_text(900), "900");
        assert_eq!(cpu_text(250), "250m");
        assert_eq!(cpu_text(2000), "2");
        assert_eq!(cpu_text(1500), "1.5");
        assert_eq!(percent(750, 1000), Some(75));
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent(3000, 2000), Some(150), "overcommit shows past 100");
    }
}
