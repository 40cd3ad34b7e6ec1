-- wrk: POST /donations as one signed-in donor, to one campaign.
-- TOKEN and CAMPAIGN come from the environment; DELAY_MS paces each connection.
local token = os.getenv("TOKEN")
local campaign = os.getenv("CAMPAIGN")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"kind":"money","campaign_id":"' .. campaign .. '","amount_minor":500,"currency":"USD"}'

function delay()
  return delay_ms
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
