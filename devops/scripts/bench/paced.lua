-- Connections test, busy side: scenario 2's request at a fixed overall rate. Each connection waits
-- connections / rate seconds between requests on average (script arguments 3 and 4), drawn
-- uniformly between half and one and a half of that, so the connections drift apart like
-- independent clients. With one fixed pause they would fire together, and the test would time
-- bursts of `connections` simultaneous requests instead of a steady rate.
local bench = require("common")
local pause_ms = 100

function init(args)
  bench.load(args)
  local connections = tonumber(args[3]) or 50
  local rate = tonumber(args[4]) or 500
  pause_ms = 1000 * connections / rate
  -- Each wrk thread has its own Lua state: seed each one differently.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end

function request()
  return bench.get_appointment()
end

function delay()
  return math.floor(pause_ms * (0.5 + math.random()))
end
