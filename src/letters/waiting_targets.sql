with recursive waiting as (
    (select campaign_id, target_id from outbox
     where kind = 'letter' and status = 'pending'
     order by campaign_id, target_id limit 1)
  union all
    select next.campaign_id, next.target_id from waiting, lateral (
        select o.campaign_id, o.target_id from outbox o
        where o.kind = 'letter' and o.status = 'pending'
          and (o.campaign_id, o.target_id) > (waiting.campaign_id, waiting.target_id)
        order by o.campaign_id, o.target_id limit 1) next
)
select campaign_id, target_id from waiting
