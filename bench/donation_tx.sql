-- pgbench: the SQL behind POST /donations, as donation-service sends it
-- (services/donation/src/db.rs, insert_with_event): the donation row and its
-- outbox row (a CloudEvent of the same size) in one statement, into copies of
-- the two tables (indexes included) so that the live relay does not publish
-- them. Nothing after it: the service wakes its relay inside the process
-- while that relay leads, as it does in this benchmark.
with donation as (
  insert into pgbench_copy.donations (id, donor_id, kind, campaign_id, request_id, amount_minor,
    currency, quantity, item_description, message, anonymous, status)
  values (gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'money',
          '00000000-0000-4000-8000-000000000002', null, 500, 'USD', null, null, null, false, 'pending')
  returning *),
event as (
  insert into pgbench_copy.outbox (event_id, aggregate_id, event_type, envelope)
  select gen_random_uuid(), gen_random_uuid()::text, 'donation.created', jsonb_build_object(
    'specversion', '1.0', 'id', gen_random_uuid(), 'type', 'donation.created',
    'source', '/hearth/donation-service', 'subject', gen_random_uuid(), 'time', now(),
    'datacontenttype', 'application/json', 'version', 1, 'correlationid', gen_random_uuid(),
    'causationid', null, 'data', jsonb_build_object('donation_id', gen_random_uuid(), 'kind', 'money',
    'donor_id', '00000000-0000-4000-8000-000000000001', 'campaign_id', '00000000-0000-4000-8000-000000000002',
    'request_id', null, 'amount_minor', 500, 'currency', 'USD', 'quantity', null, 'anonymous', false))
  from donation)
select * from donation;
