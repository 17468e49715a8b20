local bench = require("common")
local pause_ms = 100
local first = true
function init(args)
  bench.load(args)
  local connections = tonumber(args[3]) or 50
  local rate = tonumber(args[4]) or 500
  pause_ms = 1000 * connections / rate
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end
function request()
  return bench.get_appointment()
end
function delay()
  -- uniform in [0.5, 1.5) of the pause: the connections drift apart instead of firing together
  return math.floor(pause_ms * (0.5 + math.random()))
end
