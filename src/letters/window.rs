//! When letters may go: days and hours in the campaign's time zone, and how far apart.

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::campaigns::Dispatch;

#[derive(Clone, Debug)]
pub struct SendingWindow {
    tz: Tz,
    days: Vec<Weekday>,
    start: NaiveTime,
    end: NaiveTime,
    per_hour: u32,
}

impl SendingWindow {
    pub fn from_dispatch(d: &Dispatch) -> Self {
        SendingWindow {
            tz: d.timezone,
            days: d.window_days.clone(),
            start: d.window_start,
            end: d.window_end,
            per_hour: d.per_target_per_hour.max(1),
        }
    }

    /// Inside the window at `t`: a listed weekday, at or after the start, before the end.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        let local = t.with_timezone(&self.tz);
        let time = local.time();
        self.days.contains(&local.weekday()) && time >= self.start && time < self.end
    }

    /// The gap between two letters to one target: an hour divided by the hourly cap, so
    /// letters are spread evenly through the hour rather than sent in a burst.
    pub fn interval(&self) -> chrono::Duration {
        chrono::Duration::milliseconds(3_600_000 / i64::from(self.per_hour))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::DispatchMode;

    fn window() -> SendingWindow {
        SendingWindow::from_dispatch(&Dispatch {
            mode: DispatchMode::Individual,
            timezone: chrono_tz::Europe::Berlin,
            schedule: "0 9 * * MON".parse().unwrap(),
            window_days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            window_start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            window_end: NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            per_target_per_hour: 30,
        })
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_is_in_the_campaigns_time_zone() {
        let w = window();
        // Monday 2 March 2026: Berlin is UTC+1.
        assert!(!w.contains(utc("2026-03-02T06:59:59Z")));
        assert!(w.contains(utc("2026-03-02T07:00:00Z")));
        assert!(w.contains(utc("2026-03-02T16:59:59Z")));
        assert!(!w.contains(utc("2026-03-02T17:00:00Z")));
        // Monday 6 July 2026: summer time, UTC+2.
        assert!(w.contains(utc("2026-07-06T06:00:00Z")));
        assert!(!w.contains(utc("2026-07-06T16:00:00Z")));
        // Saturday.
        assert!(!w.contains(utc("2026-03-07T10:00:00Z")));
    }

    #[test]
    fn thirty_an_hour_is_one_every_two_minutes() {
        assert_eq!(window().interval(), chrono::Duration::minutes(2));
    }
}
