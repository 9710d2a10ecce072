-- Deleting signatures leaves no timestamp for the dashboard's refresh to find (see
-- src/reports/daily.rs). Until now `purge` named the days it touched itself; a trigger
-- does it for every delete, whoever deletes, so no use case has to remember to.
-- Statement-level with a transition table: one insert per delete statement, however many
-- rows it removes. A campaign being deleted takes its counts with it: its days are skipped.
create function note_days_of_deleted_signatures() returns trigger
language plpgsql as $$
begin
    insert into signature_days_to_recount (campaign_id, day)
    select distinct gone.campaign_id, (gone.signed_at at time zone 'UTC')::date
    from gone
    where exists (select 1 from campaigns c where c.id = gone.campaign_id)
    on conflict do nothing;
    return null;
end
$$;

create trigger signatures_deleted_days_to_recount
    after delete on signatures
    referencing old table as gone
    for each statement
    execute function note_days_of_deleted_signatures();
