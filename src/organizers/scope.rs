//! What an organizer may see and do: their role and the campaigns and partner it is bound
//! to (`Access`), and the one decision every protected route, export and API answer asks
//! of it (`Access::allows`). Pages, exports (CSV and xlsx, web and command line) and the
//! API get their rows through `Access::supporters`, so a partner's restriction is written
//! once. An API token carries the scope of the organizer who holds it.
//!
//! Roles (SPEC "Organizer roles"): `owner` sees and does everything and manages organizers;
//! `manager` does everything on the campaigns it names; `partner` sees every count of its
//! one campaign, but the personal data only of supporters who opted in to its partner, and
//! writes news mailings to those supporters only (the lead's mailings stay hidden from it);
//! `viewer` sees counts only (of the campaigns it names, or of all when it names none).
//!
//! A campaign outside the scope answers `404`, like one that does not exist, so that a
//! manager cannot learn which other campaigns there are; a campaign inside it that the
//! role may not do this to answers `403`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::Organizer;
use crate::db::schema::{organizer_campaigns, organizers};
use crate::db::text_enum;
use crate::partners::PartnerId;

text_enum! {
    /// An organizer's role; see the module comment.
    pub enum Role {
        Owner = "owner",
        Manager = "manager",
        Partner = "partner",
        Viewer = "viewer",
    }
}

/// What a route shows or changes, as the router declares it for each route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Being signed in: the organizer's own tokens, signing out.
    SignedIn,
    /// Counts and totals of a campaign (or the list of campaigns).
    Counts,
    /// Supporters' personal data: exports and the API's signatures.
    Supporters,
    /// Posting signatures for supporters (the write API): the lead organisation's
    /// managers, and partners for their own partner. The supporter still confirms by email.
    Sign,
    /// Running the campaign's exchanges: deciding on endorsing organisations (their
    /// contacts' addresses), recording the targets' replies, and handing the petition over
    /// (a pack names every consenting signer).
    Mailings,
    /// News mailings from the organizer's own organisation: the lead's managers write the
    /// lead's and see every mailing; a partner's organizer writes and sees only their
    /// partner's, to the supporters who opted in to it (the handlers narrow it to that).
    News,
    /// Other organizers' accounts and the audit log.
    Organizers,
    /// Webhook receivers, their secrets and delivery logs: owners only, since a receiver
    /// gets the supporters of every campaign who opted in to it.
    Receivers,
    /// A route nobody has declared (added later): owners only, until someone does.
    Undeclared,
}

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The campaign is outside the organizer's scope: answered as if it did not exist.
    Hidden,
    /// The organizer sees the campaign, but the role may not do this.
    Forbidden,
}

/// Whose personal data an organizer may read in a campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Supporters {
    Everyone,
    /// Only those who opted in to this partner (`partner_id = P and partner_opt_in`).
    OptedInTo(PartnerId),
}

/// A signed-in organizer or a token's holder, with what they may see.
#[derive(Clone, Debug)]
pub struct Access {
    pub organizer: Organizer,
    role: Role,
    /// The campaigns a manager, partner or viewer is bound to; empty for owners.
    campaigns: Vec<Uuid>,
    partner: Option<PartnerId>,
}

impl Access {
    pub fn new(organizer: Organizer, role: Role, campaigns: Vec<Uuid>, partner: Option<PartnerId>) -> Access {
        Access { organizer, role, campaigns, partner }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The partner a partner organizer speaks for: a per-partner table shows them their
    /// own row and the totals.
    pub fn partner(&self) -> Option<&PartnerId> {
        self.partner.as_ref()
    }

    pub fn manages_organizers(&self) -> bool {
        self.role == Role::Owner
    }

    /// Whether the campaign is in scope at all (its counts may be shown).
    pub fn sees_campaign(&self, campaign_id: Uuid) -> bool {
        match self.role {
            Role::Owner => true,
            Role::Viewer if self.campaigns.is_empty() => true,
            _ => self.campaigns.contains(&campaign_id),
        }
    }

    /// The one decision: may this organizer do `need`, on `campaign` if the route names one?
    pub fn allows(&self, need: Need, campaign: Option<Uuid>) -> Result<(), Denied> {
        if let Some(id) = campaign
            && !self.sees_campaign(id)
        {
            return Err(Denied::Hidden);
        }
        let allowed = match (need, self.role) {
            (_, Role::Owner) => true,
            (Need::SignedIn | Need::Counts, _) => true,
            (Need::Supporters | Need::Sign, role) => matches!(role, Role::Manager | Role::Partner),
            (Need::Mailings, role) => role == Role::Manager,
            (Need::News, Role::Manager) => true,
            (Need::News, Role::Partner) => self.partner.is_some(),
            (Need::News, Role::Viewer) => false,
            (Need::Organizers | Need::Receivers | Need::Undeclared, _) => false,
        };
        if allowed { Ok(()) } else { Err(Denied::Forbidden) }
    }

    /// Whose personal data this organizer may read in a campaign it sees; `None` when
    /// none (a viewer).
    pub fn supporters(&self) -> Option<Supporters> {
        match (self.role, &self.partner) {
            (Role::Owner | Role::Manager, _) => Some(Supporters::Everyone),
            (Role::Partner, Some(partner)) => Some(Supporters::OptedInTo(partner.clone())),
            (Role::Partner, None) | (Role::Viewer, _) => None,
        }
    }

    /// The partner whose opted-in supporters are the only ones this organizer may read,
    /// if any: what export and API queries filter by. `Err` when no personal data at all.
    pub fn supporters_filter(&self) -> Result<Option<PartnerId>, Denied> {
        match self.supporters() {
            Some(Supporters::Everyone) => Ok(None),
            Some(Supporters::OptedInTo(partner)) => Ok(Some(partner)),
            None => Err(Denied::Forbidden),
        }
    }
}

/// The organizer's access, read from their account: role, partner and campaigns.
pub async fn access_of(conn: &mut AsyncPgConnection, organizer: Organizer) -> QueryResult<Access> {
    let (role, partner): (Role, Option<String>) = organizers::table
        .find(organizer.id)
        .select((organizers::role, organizers::partner_id))
        .first(conn)
        .await?;
    let campaigns = organizer_campaigns::table
        .filter(organizer_campaigns::organizer_id.eq(organizer.id))
        .select(organizer_campaigns::campaign_id)
        .load(conn)
        .await?;
    // The column is written only from a parsed `PartnerId`; anything else reads as none,
    // which for a partner means no personal data at all.
    let partner = partner.and_then(|p| PartnerId::parse(&p).ok());
    Ok(Access::new(organizer, role, campaigns, partner))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(role: Role, campaigns: &[Uuid], partner: Option<&str>) -> Access {
        let organizer = Organizer { id: Uuid::now_v7(), email: "o@example.org".into() };
        Access::new(organizer, role, campaigns.to_vec(), partner.map(|p| PartnerId::parse(p).unwrap()))
    }

    #[test]
    fn each_role_may_do_what_the_spec_says_and_no_more() {
        let (mine, other) = (Uuid::now_v7(), Uuid::now_v7());
        let owner = access(Role::Owner, &[], None);
        let manager = access(Role::Manager, &[mine], None);
        let partner = access(Role::Partner, &[mine], Some("proasyl"));
        let viewer = access(Role::Viewer, &[mine], None);
        use Need::*;
        for need in [SignedIn, Counts, Supporters, Sign, Mailings, News, Organizers, Receivers, Undeclared] {
            assert_eq!(owner.allows(need, Some(other)), Ok(()), "{need:?}");
        }
        for who in [&manager, &partner, &viewer] {
            assert_eq!(who.allows(Counts, Some(other)), Err(Denied::Hidden), "{:?}", who.role);
            assert_eq!(who.allows(Counts, Some(mine)), Ok(()));
            assert_eq!(who.allows(Organizers, None), Err(Denied::Forbidden));
            assert_eq!(who.allows(Receivers, None), Err(Denied::Forbidden));
            assert_eq!(who.allows(Undeclared, Some(mine)), Err(Denied::Forbidden));
        }
        assert_eq!(manager.allows(Supporters, Some(mine)), Ok(()));
        assert_eq!(manager.allows(Mailings, Some(mine)), Ok(()));
        assert_eq!(partner.allows(Supporters, Some(mine)), Ok(()));
        assert_eq!(partner.allows(Mailings, Some(mine)), Err(Denied::Forbidden));
        assert_eq!(manager.allows(News, Some(mine)), Ok(()));
        assert_eq!(partner.allows(News, Some(mine)), Ok(()));
        assert_eq!(partner.allows(News, Some(other)), Err(Denied::Hidden));
        assert_eq!(viewer.allows(News, Some(mine)), Err(Denied::Forbidden));
        // A partner organizer whose partner cannot be read speaks for nobody.
        let adrift = access(Role::Partner, &[mine], None);
        assert_eq!(adrift.allows(News, Some(mine)), Err(Denied::Forbidden));
        assert_eq!(viewer.allows(Supporters, Some(mine)), Err(Denied::Forbidden));
        assert_eq!(manager.allows(Sign, Some(mine)), Ok(()));
        assert_eq!(partner.allows(Sign, Some(mine)), Ok(()));
        assert_eq!(viewer.allows(Sign, Some(mine)), Err(Denied::Forbidden));
        assert_eq!(partner.supporters_filter(), Ok(Some(PartnerId::parse("proasyl").unwrap())));
        assert_eq!(manager.supporters_filter(), Ok(None));
        assert_eq!(viewer.supporters_filter(), Err(Denied::Forbidden));
    }

    #[test]
    fn a_viewer_without_campaigns_sees_the_counts_of_all() {
        let viewer = access(Role::Viewer, &[], None);
        assert!(viewer.sees_campaign(Uuid::now_v7()));
        assert_eq!(viewer.allows(Need::Supporters, Some(Uuid::now_v7())), Err(Denied::Forbidden));
    }
}
