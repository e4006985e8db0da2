//! Tag values as mappers write them: `"2.5"`, `"2.5 m"`, `"5;6"`, `"12%"`, `"1-24"`.

/// A length in metres: a number, optionally followed by `m`. Feet and other units are not
/// guessed at.
pub(crate) fn metres(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let number = raw.strip_suffix('m').unwrap_or(raw).trim();
    number.parse::<f64>().ok().filter(|v| v.is_finite() && *v > 0.0)
}

/// Floors above ground: `"6"`, `"6.5"` (rounded), `"5;6"` (the highest). Within 1–200.
pub(crate) fn levels(raw: &str) -> Option<i64> {
    raw.split(';')
        .map(|part| part.trim().parse::<f64>().ok().filter(|v| v.is_finite()).map(|v| v.round() as i64))
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
        .filter(|v| (1..=200).contains(v))
}

/// A whole count of one or more.
pub(crate) fn count(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|v| *v >= 0)
}

/// Slope in percent, sign dropped: `"12%"`, `"-8 %"`, `"10"`. `up`/`down` carry no value.
pub(crate) fn incline(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let number = raw.strip_suffix('%').unwrap_or(raw).trim();
    number.parse::<f64>().ok().filter(|v| v.is_finite()).map(f64::abs)
}

/// How many flats an `addr:flats` value lists: ranges `"1-24"` and lists `"1;2;3"`, mixed.
pub(crate) fn flats(raw: &str) -> Option<i64> {
    let mut total = 0;
    for part in raw.split([';', ',']) {
        let part = part.trim();
        total += match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?);
                if b < a || b - a > 10_000 {
                    return None;
                }
                b - a + 1
            }
            None if !part.is_empty() => 1,
            None => 0,
        };
    }
    (total > 0).then_some(total)
}

/// OSM `layer`: a small whole number.
pub(crate) fn layer(raw: &str) -> Option<i32> {
    raw.trim().parse::<i32>().ok().filter(|l| (-10..=10).contains(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_mappers_write() {
        assert_eq!(metres("2.5"), Some(2.5));
        assert_eq!(metres("2.5 m"), Some(2.5));
        assert_eq!(metres("3m"), Some(3.0));
        assert_eq!(metres("8'"), None);
        assert_eq!(metres("-1"), None);
        assert_eq!(levels("6"), Some(6));
        assert_eq!(levels("5;6"), Some(6));
        assert_eq!(levels("6.4"), Some(6));
        assert_eq!(levels("0"), None);
        assert_eq!(levels("many"), None);
        assert_eq!(incline("-8 %"), Some(8.0));
        assert_eq!(incline("up"), None);
        assert_eq!(flats("1-24"), Some(24));
        assert_eq!(flats("101;102;201-203"), Some(5));
        assert_eq!(flats("A"), Some(1));
        assert_eq!(flats("9-1"), None);
        assert_eq!(layer("-1"), Some(-1));
        assert_eq!(count("12"), Some(12));
    }
}
