//! OR-Library p-median instances: `pmed` (uncapacitated, Beasley 1985) and `pmedcap1`
//! (capacitated, Osman & Christofides 1994). Formats and traps are documented in
//! `../shared/benchmarks/pmed/README.md` and `cpmp/README.md`.

use crate::cvrplib::CvrpError as LineError;

/// Most vertices accepted (the published sets have at most 900).
const MAX_VERTICES: usize = 5_000;

/// An uncapacitated p-median instance: every vertex a client (weight 1) and a candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct PMedian {
    /// Vertices.
    pub n: usize,
    /// Medians to open.
    pub p: usize,
    /// Shortest-path distances, row-major n × n (infinite between disconnected vertices).
    pub distance: Vec<f64>,
}

/// Reads a `pmed` file: `n m p`, then `m` edge lines `i j c`. Edges given twice keep the
/// **last** cost (OR-Library's rule, not the minimum); distances are then all-pairs shortest
/// paths (Floyd–Warshall).
pub fn read_pmed(text: &str) -> Result<PMedian, LineError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (first, header) = lines.next().ok_or_else(|| error(0, "the file is empty"))?;
    let head = numbers(first + 1, header, 3)?;
    let (n, m, p) = (head[0] as usize, head[1] as usize, head[2] as usize);
    if n == 0 || n > MAX_VERTICES || p == 0 || p > n {
        return Err(error(first + 1, format!("n = {n} and p = {p} are out of range (1 ≤ p ≤ n ≤ {MAX_VERTICES})")));
    }
    let mut d = vec![f64::INFINITY; n * n];
    for i in 0..n {
        d[i * n + i] = 0.0;
    }
    let mut edges = 0;
    for (at, line) in lines {
        let e = numbers(at + 1, line, 3)?;
        let (i, j) = (e[0] as usize, e[1] as usize);
        if i == 0 || j == 0 || i > n || j > n {
            return Err(error(at + 1, format!("vertex out of range 1..={n}")));
        }
        if i != j {
            d[(i - 1) * n + (j - 1)] = e[2];
            d[(j - 1) * n + (i - 1)] = e[2];
        }
        edges += 1;
    }
    if edges != m {
        return Err(error(0, format!("the header announces {m} edges, the file has {edges}")));
    }
    for k in 0..n {
        for i in 0..n {
            let dik = d[i * n + k];
            if !dik.is_finite() {
                continue;
            }
            for j in 0..n {
                let via = dik + d[k * n + j];
                if via < d[i * n + j] {
                    d[i * n + j] = via;
                }
            }
        }
    }
    Ok(PMedian { n, p, distance: d })
}

/// A capacitated p-median instance.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacitatedPMedian {
    /// Medians to open.
    pub p: usize,
    /// Capacity of every median.
    pub capacity: f64,
    /// Points: x, y, demand.
    pub points: Vec<(f64, f64, f64)>,
    /// The best known value on the file's first line.
    pub best_known: f64,
}

impl CapacitatedPMedian {
    /// Distance between points `a` and `b`: Euclidean, truncated to an integer (the
    /// convention of the codes that reproduce the published values; see the README).
    pub fn distance(&self, a: usize, b: usize) -> f64 {
        let (p, q) = (self.points[a], self.points[b]);
        (p.0 - q.0).hypot(p.1 - q.1).floor()
    }
}

/// Reads a `pmedcap1(k)` file: `problem best`, `n p Q`, then `n` lines `id x y demand`.
pub fn read_cpmp(text: &str) -> Result<CapacitatedPMedian, LineError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (a, first) = lines.next().ok_or_else(|| error(0, "the file is empty"))?;
    let best_known = numbers(a + 1, first, 2)?[1];
    let (b, second) = lines.next().ok_or_else(|| error(a + 1, "the line `n p Q` is missing"))?;
    let head = numbers(b + 1, second, 3)?;
    let (n, p) = (head[0] as usize, head[1] as usize);
    if n == 0 || n > MAX_VERTICES || p == 0 || p > n {
        return Err(error(b + 1, format!("n = {n} and p = {p} are out of range")));
    }
    let mut points = Vec::with_capacity(n);
    for (at, line) in lines.take(n) {
        let v = numbers(at + 1, line, 4)?;
        points.push((v[1], v[2], v[3]));
    }
    if points.len() != n {
        return Err(error(0, format!("the header announces {n} points, the file has {}", points.len())));
    }
    Ok(CapacitatedPMedian { p, capacity: head[2], points, best_known })
}

fn error(line: usize, message: impl Into<String>) -> LineError {
    LineError { line, message: message.into() }
}

/// Exactly `count` non-negative numbers.
fn numbers(line: usize, text: &str, count: usize) -> Result<Vec<f64>, LineError> {
    let values: Result<Vec<f64>, _> = text.split_whitespace().map(str::parse::<f64>).collect();
    match values {
        Ok(v) if v.len() == count && v.iter().all(|x| x.is_finite() && *x >= 0.0) => Ok(v),
        _ => Err(error(line, format!("expected {count} non-negative numbers, found `{}`", text.trim()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_cost_of_a_repeated_edge_wins_and_paths_are_shortest() {
        let text = "3 3 1\n1 2 5\n2 3 1\n1 2 2\n";
        let pm = read_pmed(text).unwrap();
        assert_eq!(pm.distance[1], 2.0);
        assert_eq!(pm.distance[2], 3.0, "1 → 2 → 3");
        assert!(read_pmed("3 4 1\n1 2 5\n").unwrap_err().message.contains("4 edges"));
        assert_eq!(read_pmed("3 1 1\n1 9 5\n").unwrap_err().line, 2);
    }

    #[test]
    fn capacitated_points_and_truncated_distances() {
        let text = " 1 10\n 2 1 5\n 1 0 0 2\n 2 3 3 4\n";
        let c = read_cpmp(text).unwrap();
        assert_eq!((c.p, c.capacity, c.best_known), (1, 5.0, 10.0));
        assert_eq!(c.distance(0, 1), 4.0, "√18 ≈ 4.24 truncated");
        assert!(read_cpmp(" 1 10\n 2 1 5\n 1 0 0 2\n").is_err());
    }
}
