select id, recipient_id, creator_id, title, description, category, goal_minor, raised_minor,
       donor_count, currency, status as "status: Status",
       suspended_from as "suspended_from: Status", ends_at, goal_reached_at, created_at,
       updated_at, version, image_url as "image_url: ImageUrl"
from campaigns
where ($1::text is null or status = $1)
  and ($2::uuid is null or recipient_id = $2)
  and ($3::text is null or category = $3)
  and ($4::text is null or search @@ websearch_to_tsquery('english', $4))
  and (status not in ('draft', 'suspended')
       or $5
       or (status = 'draft' and recipient_id = $6))
  and ($7::timestamptz is null or (created_at, id) < ($7, $8))
order by created_at desc, id desc
limit $9
