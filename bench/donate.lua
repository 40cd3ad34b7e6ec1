-- wrk: POST /donations as one signed-in donor, spread over the campaigns in
-- CAMPAIGNS (ids separated by commas). DELAY_MS paces each connection.
local token = os.getenv("TOKEN")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local campaigns = {}
for id in string.gmatch(os.getenv("CAMPAIGNS"), "[^,]+") do
  table.insert(campaigns, id)
end
local n = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

function request()
  n = n + 1
  local campaign = campaigns[(n % #campaigns) + 1]
  local body = '{"kind":"money","campaign_id":"' .. campaign .. '","amount_minor":500,"currency":"USD"}'
  return wrk.format(nil, nil, nil, body)
end

function delay()
  return delay_ms
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
