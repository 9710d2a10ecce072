//! The share images made so far, kept in memory: one per campaign and language, a few tens
//! of kilobytes each. A preview crawler may ask for the same image many times a second
//! when a link spreads; drawing one takes tens of milliseconds of CPU (57 ms for the Dari
//! image in a dev build, measured 2026-12 on the project's 2-core machine), so an image is
//! drawn again only when it is `FRESH_FOR` old, and then once: requests that arrive while
//! it is being drawn wait for that drawing instead of starting their own.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::domain::Lang;

/// How long an image is shown before it is drawn again with the count of the moment.
pub const FRESH_FOR: Duration = Duration::minutes(5);

/// One drawn image and when it was drawn.
#[derive(Clone)]
pub struct Rendered {
    pub png: Arc<[u8]>,
    pub made_at: DateTime<Utc>,
}

impl Rendered {
    /// Seconds until it is drawn again: how long a client may keep it.
    pub fn fresh_for_secs(&self, now: DateTime<Utc>) -> i64 {
        (self.made_at + FRESH_FOR - now).num_seconds().clamp(0, FRESH_FOR.num_seconds())
    }
}

type Slot = Arc<tokio::sync::Mutex<Option<Rendered>>>;

#[derive(Default)]
pub struct ShareImages {
    slots: Mutex<HashMap<(Uuid, Lang), Slot>>,
}

impl ShareImages {
    /// The image for `campaign` in `lang`: the one drawn less than `FRESH_FOR` ago, or a new
    /// one from `draw`. Holding the slot's lock while drawing is the single flight: whoever
    /// comes meanwhile waits, then finds the new image fresh.
    pub async fn get<F, Fut, E>(
        &self,
        campaign: Uuid,
        lang: Lang,
        now: DateTime<Utc>,
        draw: F,
    ) -> Result<Rendered, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Vec<u8>, E>>,
    {
        let slot =
            self.slots.lock().unwrap_or_else(|e| e.into_inner()).entry((campaign, lang)).or_default().clone();
        let mut held = slot.lock().await;
        if let Some(fresh) = held.as_ref().filter(|r| now - r.made_at < FRESH_FOR) {
            return Ok(fresh.clone());
        }
        let rendered = Rendered { png: draw().await?.into(), made_at: now };
        *held = Some(rendered.clone());
        Ok(rendered)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn many_requests_for_a_stale_image_draw_it_once() {
        let images = Arc::new(ShareImages::default());
        let draws = Arc::new(AtomicUsize::new(0));
        let campaign = Uuid::nil();
        let start = Utc::now();
        let ask = |now: DateTime<Utc>| {
            let (images, draws) = (images.clone(), draws.clone());
            tokio::spawn(async move {
                images
                    .get(campaign, Lang::FaAf, now, || async move {
                        draws.fetch_add(1, Ordering::SeqCst);
                        // Long enough for every other request to arrive meanwhile.
                        tokio::task::yield_now().await;
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok::<_, std::convert::Infallible>(vec![1, 2, 3])
                    })
                    .await
                    .unwrap()
            })
        };
        let first: Vec<_> = (0..20).map(|_| ask(start)).collect();
        for request in first {
            assert_eq!(&*request.await.unwrap().png, &[1, 2, 3]);
        }
        assert_eq!(draws.load(Ordering::SeqCst), 1, "fresh: drawn once for twenty requests");

        let later = start + FRESH_FOR;
        let second: Vec<_> = (0..20).map(|_| ask(later)).collect();
        for request in second {
            assert_eq!(request.await.unwrap().made_at, later);
        }
        assert_eq!(draws.load(Ordering::SeqCst), 2, "stale: drawn once more for twenty requests");
    }

    #[test]
    fn a_client_may_keep_an_image_until_it_is_drawn_again() {
        let made_at = Utc::now();
        let image = Rendered { png: Arc::from(&[][..]), made_at };
        assert_eq!(image.fresh_for_secs(made_at), 300);
        assert_eq!(image.fresh_for_secs(made_at + Duration::seconds(200)), 100);
        assert_eq!(image.fresh_for_secs(made_at + Duration::minutes(9)), 0);
    }
}
