-- wrk: POST /donations as one signed-in donor, spread over the campaigns in
-- CAMPAIGNS (ids separated by commas).
--
-- RATE (donations/s in all, with WRK_THREADS the -t given to wrk) sends at a
-- steady rate: each thread keeps a timetable and waits for the next slot,
-- whatever the response times, so the rate asked is the rate sent as long as
-- the connections suffice. Otherwise DELAY_MS pauses each connection after
-- each answer (0: as fast as it goes).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } hearth_timeval;
  int gettimeofday(hearth_timeval *tv, void *tz);
]]
local tv = ffi.new("hearth_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

local token = os.getenv("TOKEN")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local rate = tonumber(os.getenv("RATE") or "0")
local interval_ms = rate > 0 and 1000 * tonumber(os.getenv("WRK_THREADS") or "1") / rate or nil
local next_slot = nil
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
  if not interval_ms then
    return delay_ms
  end
  local now = now_ms()
  next_slot = math.max((next_slot or now) + interval_ms, now - 10 * interval_ms)
  return math.max(0, next_slot - now)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
end
