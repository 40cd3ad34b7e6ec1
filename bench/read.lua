-- wrk: GET at a steady RATE (requests/s in all, with WRK_THREADS the -t given
-- to wrk): each thread keeps a timetable and waits for the next slot whatever
-- the response times, so the readers ask at the rate of people reading pages,
-- not as fast as the server answers (as bench/donate.lua paces donations).
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

local interval_ms = 1000 * tonumber(os.getenv("WRK_THREADS") or "1") / tonumber(os.getenv("RATE"))
local next_slot = nil

function delay()
  local now = now_ms()
  next_slot = math.max((next_slot or now) + interval_ms, now - 10 * interval_ms)
  return math.max(0, next_slot - now)
end
