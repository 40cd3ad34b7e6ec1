select id, sender_id, recipient_id, body, context_type as "context_type: ContextType",
       context_id, created_at, read_at
from messages
where least(sender_id, recipient_id) = least($1::uuid, $2::uuid)
  and greatest(sender_id, recipient_id) = greatest($1::uuid, $2::uuid)
  and ($3::timestamptz is null or (created_at, id) < ($3, $4))
order by created_at desc, id desc limit $5
