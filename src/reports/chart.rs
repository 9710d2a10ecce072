//! Signatures per day as bars for a server-rendered SVG: geometry here, markup in the
//! template. Each bar sits at its date, so days without signatures
//! leave a gap and the time axis stays even.

use chrono::NaiveDate;

use super::DayCount;

pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 160.0;

pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub label: String,
}

pub struct Chart {
    pub bars: Vec<Bar>,
    pub first: String,
    pub last: String,
    pub max: i64,
}

impl Chart {
    pub fn new(days: &[DayCount]) -> Option<Chart> {
        let (first, last) = (days.first()?.day, days.last()?.day);
        let span = (last - first).num_days() + 1;
        let max = days.iter().map(|d| d.count).max().unwrap_or(0).max(1);
        let step = WIDTH / span as f64;
        let bar = |day: NaiveDate, count: i64| {
            let h = HEIGHT * count as f64 / max as f64;
            Bar {
                x: format!("{:.2}", (day - first).num_days() as f64 * step),
                y: format!("{:.2}", HEIGHT - h),
                width: format!("{:.2}", (step * 0.9).max(0.5)),
                height: format!("{h:.2}"),
                label: format!("{day}: {count}"),
            }
        };
        Some(Chart {
            bars: days.iter().map(|d| bar(d.day, d.count)).collect(),
            first: first.to_string(),
            last: last.to_string(),
            max,
        })
    }
}
