-- wrk script: each request is a valid, distinct signature through the full HTTP path
-- (CSRF cookie and token, validation, insert, outbox row, 303).
-- Environment: SIGN_PATH, CSRF_COOKIE, CSRF_TOKEN, RUN_ID; RATE (optional, requests per
-- second over both wrk threads) spaces requests evenly to hold the rate below the peak.

local counter = 0
local threads = {}
local path = os.getenv("SIGN_PATH")
local cookie = os.getenv("CSRF_COOKIE")
local token = os.getenv("CSRF_TOKEN")
local run = os.getenv("RUN_ID") or "r"
local rate = tonumber(os.getenv("RATE") or "0")

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

function init(args)
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   wrk.headers["Cookie"] = "rp_csrf=" .. cookie
end

function request()
   counter = counter + 1
   local body = "csrf_token=" .. token
      .. "&lang=en&name=Bench+Supporter+" .. counter
      .. "&email=s" .. run .. "-" .. id .. "-" .. counter .. "%40example.org"
      .. "&country=DE&postcode=10115&comment=&consent=on&website="
   return wrk.format(nil, path, nil, body)
end

if rate > 0 then
   -- Each thread sends at half the rate (wrk -t2), on a schedule of its own: a request
   -- waits for its slot, and a late one goes at once (at most a second of catching up).
   local ffi = require("ffi")
   ffi.cdef [[
      typedef struct { long tv_sec; long tv_usec; } rp_timeval;
      int gettimeofday(rp_timeval *tv, void *tz);
   ]]
   local tv = ffi.new("rp_timeval")
   local function now_ms()
      ffi.C.gettimeofday(tv, nil)
      return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
   end
   local interval = 2000 / rate
   local next_at = nil
   function delay()
      local now = now_ms()
      if next_at == nil or next_at < now - 1000 then
         next_at = now
      end
      local wait = next_at - now
      next_at = next_at + interval
      return math.max(0, wait)
   end
end

-- With LATENCY_DIST set, the run ends with the latency distribution in finer steps than
-- wrk's own (lines "dist PERCENTILE MICROSECONDS"), to see where the tail begins.
if os.getenv("LATENCY_DIST") then
   function done(summary, latency, requests)
      for _, p in ipairs({ 50, 75, 90, 95, 98, 99, 99.5, 99.9 }) do
         io.write(string.format("dist %s %d\n", p, latency:percentile(p)))
      end
      io.write(string.format("dist max %d\n", latency.max))
   end
end
