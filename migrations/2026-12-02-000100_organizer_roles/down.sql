drop table organizer_invitations;
drop table organizer_campaigns;
alter table organizers drop constraint organizers_partner_has_partner,
    drop column disabled_at, drop column partner_id, drop column role;
