-- A request's picture: an https link (hearth_core::image_url::ImageUrl),
-- never the image itself. The check keeps most of the rule as the table's own guarantee for rows
-- not written through the API.
alter table requests add column image_url text
    check (image_url is null
           or (char_length(image_url) <= 2048
               -- https, a host without user:password@, no spaces or control characters.
               and image_url ~ '^https://[^/?#@[:space:][:cntrl:]]+([/?#][^[:space:][:cntrl:]]*)?$'));
