//! The server's own view of a step: its histograms on `/metrics`, read
//! before and after the step, tell where a message's time went inside the
//! server (the post's whole answer, the wait for the group-commit writer,
//! the commit's sync, how many writes shared it, the hand-over to this
//! node's connections) beside what the listeners measured from outside.
//!
//! Prometheus histograms are cumulative since the server started, so a
//! step's share is the difference of two scrapes. Quantiles are read from
//! the buckets (the upper edge of the bucket the quantile falls in, as
//! coarse as the server's buckets: `crates/web/src/metrics.rs`).

use anyhow::Context;
use std::collections::BTreeMap;

/// The token the benchmark gives the server for `/metrics`.
pub const TOKEN: &str = "cercle-bench-metrics";

/// The histograms a step reports, with the unit each is shown in.
const SHOWN: &[(&str, &str, f64)] = &[
    ("cercle_message_post_duration_seconds", "post (server)", 1000.0),
    ("cercle_write_queue_wait_seconds", "writer queue wait", 1000.0),
    ("cercle_write_commit_seconds", "commit", 1000.0),
    ("cercle_write_batch_size", "writes per commit", 1.0),
    ("cercle_delivery_lag_seconds", "commit → connections", 1000.0),
];

/// One histogram: cumulative counts per upper edge, the sum and the count.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    pub buckets: Vec<(f64, f64)>,
    pub sum: f64,
    pub count: f64,
}

impl Histogram {
    /// What was recorded between `before` and `self`.
    fn since(&self, before: &Histogram) -> Histogram {
        Histogram {
            buckets: self
                .buckets
                .iter()
                .map(|(le, n)| {
                    let b = before.buckets.iter().find(|(l, _)| l == le).map_or(0.0, |(_, n)| *n);
                    (*le, n - b)
                })
                .collect(),
            sum: self.sum - before.sum,
            count: self.count - before.count,
        }
    }

    fn mean(&self) -> f64 {
        if self.count > 0.0 {
            self.sum / self.count
        } else {
            f64::NAN
        }
    }

    /// The upper edge of the bucket holding quantile `q` (0–1); infinite
    /// when it lies beyond the last edge.
    fn quantile(&self, q: f64) -> f64 {
        if self.count <= 0.0 {
            return f64::NAN;
        }
        let rank = q * self.count;
        self.buckets
            .iter()
            .find(|(_, n)| *n >= rank)
            .map_or(f64::INFINITY, |(le, _)| *le)
    }
}

/// The histograms of one scrape, by metric name (labels of the same name
/// added up: the post route's histogram has one series).
pub type Scrape = BTreeMap<String, Histogram>;

/// Reads `text` (Prometheus' text format) for the histograms in [`SHOWN`].
pub fn parse(text: &str) -> Scrape {
    let mut out = Scrape::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let (name, labels) = series.split_once('{').unwrap_or((series, ""));
        for (metric, _, _) in SHOWN {
            let Some(part) = name.strip_prefix(metric) else {
                continue;
            };
            let h = out.entry((*metric).to_string()).or_default();
            match part {
                "_sum" => h.sum += value,
                "_count" => h.count += value,
                "_bucket" => {
                    let le = labels.split("le=\"").nth(1).and_then(|r| r.split('"').next()).map(|v| {
                        if v == "+Inf" {
                            f64::INFINITY
                        } else {
                            v.parse().unwrap_or(f64::NAN)
                        }
                    });
                    if let Some(le) = le {
                        match h.buckets.iter_mut().find(|(l, _)| *l == le) {
                            Some((_, n)) => *n += value,
                            None => h.buckets.push((le, value)),
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for h in out.values_mut() {
        h.buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Scrapes the server's `/metrics`.
pub async fn scrape(base: &str) -> anyhow::Result<Scrape> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .build()?;
    let text = client
        .get(format!("{base}/metrics"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .context("scraping /metrics")?
        .error_for_status()?
        .text()
        .await?;
    Ok(parse(&text))
}

/// One line per histogram: mean, p50 and p99 of what the step recorded.
pub fn render(before: &Scrape, after: &Scrape) -> Vec<String> {
    let mut lines = Vec::new();
    for (metric, label, unit) in SHOWN {
        let (Some(a), b) = (after.get(*metric), before.get(*metric)) else {
            continue;
        };
        let h = a.since(&b.cloned().unwrap_or_default());
        if h.count <= 0.0 {
            continue;
        }
        let suffix = if *unit == 1.0 { "" } else { " ms" };
        lines.push(format!(
            "{label}: mean {:.2}{suffix}, p50 ≤ {}{suffix}, p99 ≤ {}{suffix} ({} recorded)",
            h.mean() * unit,
            h.quantile(0.5) * unit,
            h.quantile(0.99) * unit,
            h.count
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = r#"# TYPE cercle_write_batch_size histogram
cercle_write_batch_size_bucket{le="1"} 10
cercle_write_batch_size_bucket{le="2"} 10
cercle_write_batch_size_bucket{le="4"} 10
cercle_write_batch_size_bucket{le="+Inf"} 10
cercle_write_batch_size_sum 10
cercle_write_batch_size_count 10
"#;

    const AFTER: &str = r#"# TYPE cercle_write_batch_size histogram
cercle_write_batch_size_bucket{le="1"} 10
cercle_write_batch_size_bucket{le="2"} 60
cercle_write_batch_size_bucket{le="4"} 109
cercle_write_batch_size_bucket{le="+Inf"} 110
cercle_write_batch_size_sum 250
cercle_write_batch_size_count 110
cercle_http_requests_total{class="2xx"} 5
"#;

    #[test]
    fn a_step_is_the_difference_of_two_scrapes() {
        let h = parse(AFTER)["cercle_write_batch_size"].since(&parse(BEFORE)["cercle_write_batch_size"]);
        assert_eq!(h.count, 100.0);
        assert_eq!(h.mean(), 2.4);
        // 50 of the step's 100 are ≤ 2, 99 ≤ 4, one beyond.
        assert_eq!(h.quantile(0.5), 2.0);
        assert_eq!(h.quantile(0.99), 4.0);
        assert_eq!(h.quantile(1.0), f64::INFINITY);
        let lines = render(&parse(BEFORE), &parse(AFTER));
        assert_eq!(
            lines,
            vec!["writes per commit: mean 2.40, p50 ≤ 2, p99 ≤ 4 (100 recorded)".to_string()]
        );
    }
}
