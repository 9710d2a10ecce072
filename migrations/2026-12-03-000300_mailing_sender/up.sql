-- Who a news mailing is from (issue 14.2): null for the campaign's lead organisation, else
-- the id of the partner (a `[[partners]]` id of the campaign file) whose organizer wrote
-- it. The audience follows from it (`updates_opt_in` for the lead, `partner_id` and
-- `partner_opt_in` for a partner), and so do the unsubscribe link and the suppression
-- entry it writes. A nullable column without a default is added without rewriting the
-- table; no index: a campaign has a handful of mailings, read through `mailings_campaign`.
alter table mailings add column partner_id text;
