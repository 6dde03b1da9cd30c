//! Resource quantities as the simulator reads back the ones it wrote (`64Mi`, `250m`, `1`,
//! `1.5Gi`): bytes and millicores, rounded up. Not a general parser: the simulator only reads
//! its own objects' requests.

/// A memory (or any unit) quantity in its base unit.
pub fn bytes(quantity: &str) -> Option<i64> {
    in_units(quantity, 1.0)
}

/// A CPU quantity in millicores.
pub fn millicores(quantity: &str) -> Option<i64> {
    in_units(quantity, 1000.0)
}

fn in_units(quantity: &str, per_unit: f64) -> Option<i64> {
    let quantity = quantity.trim();
    let at = quantity
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(quantity.len());
    let (number, suffix) = quantity.split_at(at);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    // The product is exact for every quantity the simulator writes; ceil as the apiserver
    // rounds a quantity up to an integer.
    Some((number * factor * per_unit).ceil() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_simulator_writes() {
        assert_eq!(bytes("64Mi"), Some(64 << 20));
        assert_eq!(bytes("1.5Gi"), Some(3 << 29));
        assert_eq!(bytes("129M"), Some(129_000_000));
        assert_eq!(millicores("250m"), Some(250));
        assert_eq!(millicores("2"), Some(2000));
        assert_eq!(millicores("0.5"), Some(500));
        assert_eq!(bytes("12Q"), None);
        assert_eq!(bytes("Mi"), None);
    }
}
