//! Giving an organizer a role and its scope (`Grant`), parsed once from the command line
//! or the organizers page, and written to the account.
//!
//! The rules: an owner names no campaign and no partner; a manager names one or more
//! campaigns; a partner names exactly one campaign and a partner that campaign's file
//! declares; a viewer may name campaigns (none: the counts of all).

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::scope::Role;
use crate::campaigns::Campaign;
use crate::db::schema::{organizer_campaigns, organizers};
use crate::partners::PartnerId;

/// A role with the campaigns and partner it is bound to, checked against each other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    role: Role,
    campaigns: BTreeSet<Uuid>,
    partner: Option<PartnerId>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GrantError {
    #[error("an owner sees every campaign: name no campaign and no partner")]
    OwnerIsUnbound,
    #[error("a manager needs at least one campaign")]
    ManagerNeedsCampaign,
    #[error("a partner needs exactly one campaign and a partner id")]
    PartnerNeedsOne,
    #[error("{0}")]
    BadPartner(String),
    #[error("campaign {campaign:?} declares no partner {partner:?} in its [[partners]]")]
    UnknownPartner { campaign: String, partner: String },
    #[error("only a partner organizer takes a partner id")]
    PartnerWithoutRole,
}

impl Grant {
    /// Everything: the first organizer of an installation, and every one made before roles.
    pub fn owner() -> Grant {
        Grant { role: Role::Owner, campaigns: BTreeSet::new(), partner: None }
    }

    pub fn parse(role: Role, campaigns: &[Campaign], partner: Option<&str>) -> Result<Grant, GrantError> {
        let partner = partner.map(str::trim).filter(|p| !p.is_empty());
        let ids = campaigns.iter().map(|c| c.id).collect();
        match role {
            Role::Owner if campaigns.is_empty() && partner.is_none() => Ok(Grant::owner()),
            Role::Owner => Err(GrantError::OwnerIsUnbound),
            _ if partner.is_some() && role != Role::Partner => Err(GrantError::PartnerWithoutRole),
            Role::Manager if campaigns.is_empty() => Err(GrantError::ManagerNeedsCampaign),
            Role::Manager | Role::Viewer => Ok(Grant { role, campaigns: ids, partner: None }),
            Role::Partner => {
                let ([campaign], Some(partner)) = (campaigns, partner) else {
                    return Err(GrantError::PartnerNeedsOne);
                };
                let partner = PartnerId::parse(partner).map_err(GrantError::BadPartner)?;
                if campaign.file.partner(&partner).is_none() {
                    return Err(GrantError::UnknownPartner {
                        campaign: campaign.slug.clone(),
                        partner: partner.to_string(),
                    });
                }
                Ok(Grant { role, campaigns: ids, partner: Some(partner) })
            }
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// For the audit log: `manager of 2 campaigns`, `partner proasyl`.
    pub fn describe(&self) -> String {
        match (&self.partner, self.campaigns.len()) {
            (Some(p), _) => format!("{} {p}", self.role),
            (None, 0) => self.role.to_string(),
            (None, 1) => format!("{} of 1 campaign", self.role),
            (None, n) => format!("{} of {n} campaigns", self.role),
        }
    }
}

/// Writes the grant to the account, replacing its role, partner and campaigns.
pub async fn set_grant(conn: &mut AsyncPgConnection, organizer_id: Uuid, grant: &Grant) -> QueryResult<()> {
    diesel::update(organizers::table.find(organizer_id))
        .set((
            organizers::role.eq(grant.role),
            organizers::partner_id.eq(grant.partner.as_ref().map(|p| p.as_ref().to_owned())),
        ))
        .execute(conn)
        .await?;
    diesel::delete(organizer_campaigns::table.filter(organizer_campaigns::organizer_id.eq(organizer_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = grant
        .campaigns
        .iter()
        .map(|c| {
            (organizer_campaigns::organizer_id.eq(organizer_id), organizer_campaigns::campaign_id.eq(*c))
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(organizer_campaigns::table).values(rows).execute(conn).await?;
    }
    Ok(())
}
