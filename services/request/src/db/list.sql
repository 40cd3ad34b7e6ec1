select id, requester_id, title, description, category, quantity_needed, quantity_pledged,
       quantity_fulfilled, status as "status: Status", suspended_from as "suspended_from: Status",
       needed_by, location, created_at, updated_at, version, image_url as "image_url: ImageUrl"
from requests
where ($1::text is null or status = $1)
  and ($2::uuid is null or requester_id = $2)
  and ($3::text is null or category = $3)
  and ($4::text is null or search @@ websearch_to_tsquery('english', $4))
  and (status <> 'suspended' or $5)
  and ($6::timestamptz is null or (created_at, id) < ($6, $7))
order by created_at desc, id desc
limit $8
